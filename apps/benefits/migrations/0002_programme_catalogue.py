from django.db import migrations

# code, payment, bank file code. Codes are stable: other tools and the bank files rely on them.
CATALOGUE = [
    ("dibao", "monthly", "MZ01"),
    ("dibao_marginal", "none", "MZ02"),
    ("hardship_expense", "none", "MZ03"),
    ("tekun", "monthly", "MZ04"),
    ("tekun_care", "monthly", "MZ05"),
    ("temporary", "one_off", "MZ06"),
    ("longevity", "monthly", "MZ07"),
    ("elderly_service", "monthly", "MZ08"),
    ("disability_living", "monthly", "MZ09"),
    ("disability_nursing", "monthly", "MZ10"),
    ("orphan", "monthly", "MZ11"),
    ("funeral_waiver", "one_off", "MZ12"),
    ("eco_burial", "one_off", "MZ13"),
]


def create(apps, schema_editor):
    Programme = apps.get_model("benefits", "Programme")
    for code, payment, bank_code in CATALOGUE:
        Programme.objects.update_or_create(code=code, defaults={"payment": payment, "bank_code": bank_code})


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

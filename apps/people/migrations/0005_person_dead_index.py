"""The dead, a few thousand of a million residents, indexed apart: the recovery list (追回) starts from them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_person_name_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(condition=models.Q(("date_of_death__isnull", False)), fields=["id"], name="person_dead"),
        ),
    ]

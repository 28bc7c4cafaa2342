"""Entitlements by their source: an application's page lists the ones it created (a scan of 60,000 otherwise)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_entitlement_ended"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entitlement",
            index=models.Index(fields=["source"], name="entitlement_source"),
        ),
    ]

"""Entitlements by their source: an application's page lists the ones it created (a scan of 60,000 otherwise);
grants in the list's order (newest month first)."""

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
        migrations.AddIndex(
            model_name="grant",
            index=models.Index(fields=["-period", "id"], name="grant_period_id"),
        ),
    ]

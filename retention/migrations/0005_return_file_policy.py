"""The retention policy for the council's copies of statutory and research return files (SPEC §6.3, §7):
30 days after the run by default (a policy choice, editable by the DPO as a new version)."""

from datetime import date

from django.db import migrations, models


def load(apps, schema_editor):
    apps.get_model("retention", "RetentionPolicy").objects.get_or_create(
        record_kind="return_file",
        version=1,
        defaults={
            "effective_from": date(2000, 1, 1),
            "trigger": "record_created",
            "period_days": 30,
            "reason_for_change": "Default at installation: the DPO may download a return again for 30 days.",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("retention", "RetentionPolicy").objects.filter(record_kind="return_file").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_paper_destruction_tasks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="retentionpolicy",
            name="record_kind",
            field=models.CharField(
                choices=[
                    ("family_case_file", "Family case file"),
                    ("sar_case_file", "Subject access request case file"),
                    ("foi_file", "Freedom of Information request file"),
                    ("access_log", "Access log"),
                    ("sar_package", "Subject access download package"),
                    ("ons_transfer_file", "ONS research transfer file"),
                    ("return_file", "Statutory or research return file (the council's copy, not ONS)"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(load, unload),
    ]

"""Load the default retention policies (domain-rules §8; policy choices, editable by the DPO)."""

from datetime import date

from django.db import migrations

DEFAULTS = [
    # record kind, trigger, years, months, days
    ("family_case_file", "latest_case_closure", 7, 0, 0),  # the privacy notice's promise
    ("sar_case_file", "request_closed", 2, 0, 0),
    ("foi_file", "response_sent", 3, 0, 0),
    ("access_log", "record_created", 2, 0, 0),
    ("sar_package", "record_created", 0, 0, 30),
    ("ons_transfer_file", "destruction_confirmed", 0, 0, 0),
]


def load(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for kind, trigger, years, months, days in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            record_kind=kind,
            version=1,
            defaults={
                "effective_from": date(2000, 1, 1),
                "trigger": trigger,
                "period_years": years,
                "period_months": months,
                "period_days": days,
                "reason_for_change": "Default from domain-rules §8 at installation.",
            },
        )


def unload(apps, schema_editor):
    apps.get_model("retention", "RetentionPolicy").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_policies")]
    operations = [migrations.RunPython(load, unload)]

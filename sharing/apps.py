from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Partner organisations, data sharing agreements, the lawful-basis check,
    disclosures, statutory returns and statistics (SPEC §6). Built in its own issue."""

    name = "sharing"

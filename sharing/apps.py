from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Partner organisations, data sharing agreements, the one lawful-basis check, disclosures and
    referrals to partners (SPEC §6.1, §6.2; ADR 0004). `consent` answers "what did they say?";
    `sharing` decides whether information may go."""

    name = "sharing"

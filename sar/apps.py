from django.apps import AppConfig


class SarConfig(AppConfig):
    """Subject access and other rights requests, FOI requests and complaints (SPEC §8).
    Built in its own issue."""

    name = "sar"
    verbose_name = "Subject access and other requests"

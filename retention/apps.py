from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """The 7-year rule: policies, legal holds, the nightly sweep and the destruction
    register (SPEC §7). Built in its own issue."""

    name = "retention"

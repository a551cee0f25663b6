from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Agreement to work with the service, to record information, and sharing wishes;
    privacy notice versions (SPEC §5). Built in its own issue."""

    name = "consent"

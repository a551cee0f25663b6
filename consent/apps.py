from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Agreement to work with the service, to record information, and sharing wishes;
    the education opt-out; privacy notice versions and the public notice page (SPEC §5).
    Answers "what did this person say?"; `sharing` decides the lawful basis (ADR 0002)."""

    name = "consent"

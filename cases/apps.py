from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Families, people, memberships and cases: the caseworker's daily work (SPEC §4)."""

    name = "cases"
    verbose_name = "Families and cases"

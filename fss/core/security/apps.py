from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in security (SPEC §9): MFA, lockout, session timeouts, re-authentication, headers.

    No models of its own: devices are django-otp's, failed attempts django-axes's,
    sessions Django's. It is an app so its signal receivers and commands load.
    """

    name = "fss.core.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self):
        from fss.core.security import signals  # noqa: F401 - session stamps and ending sessions

"""Signal receivers: the sign-in stamp for the session clocks, and ending a deactivated user's sessions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from fss.core.security.sessions import end_sessions, stamp_sign_in


@receiver(user_logged_in, dispatch_uid="fss.security.stamp_sign_in")
def _stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        stamp_sign_in(request.session)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="fss.security.end_sessions_on_deactivation")
def _end_sessions_on_deactivation(sender, instance, raw=False, **kwargs):
    """Deactivating an account signs it out everywhere (SPEC §9), once the change is committed."""
    if raw or instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    if was_active:
        transaction.on_commit(lambda: end_sessions(user=instance))

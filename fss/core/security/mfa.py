"""Two-factor authentication with TOTP (django-otp) and recovery codes (SPEC §9).

Every staff account needs a confirmed authenticator app when MFA_REQUIRED is on;
the second factor is asked for right after the password, before any other page
(fss.core.security.middleware.MFARequiredMiddleware). Recovery codes are a
django-otp static device: each works once.
"""

import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fss.core.security.sessions import end_sessions

logger = logging.getLogger("fss.security")

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def mfa_required() -> bool:
    return settings.MFA_REQUIRED


def has_authenticator(user) -> bool:
    """Whether `user` has finished setting up an authenticator app (a confirmed device)."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up for `user`, made on first use.

    The same secret is shown until the user confirms it with a code, so reloading the
    page does not invalidate a QR code already scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image library needed)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    # Accessible name for the picture; the secret is also shown as text for manual entry.
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" ', 1
    )


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan the QR code."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def confirm_authenticator(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a code from the app; returns new recovery codes, or None if wrong.

    Any other unconfirmed devices are removed and a fresh set of recovery codes replaces
    any earlier set.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    logger.info("mfa enrolled: user=%s", user.pk)
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODE_COUNT new ones, each usable once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    logger.info("recovery codes issued: user=%s", user.pk)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(*, user, code: str):
    """The confirmed device (authenticator or recovery codes) that accepts `code`, or None.

    Each device throttles repeated failures itself (django-otp's exponential back-off).
    """
    token = normalise_code(code)
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                return device
    return None


def mark_verified(request, device) -> None:
    """Record in the session that this user passed the second factor, with a new session key."""
    otp_login(request, device)
    # A rise in privilege: a new session key, as at sign-in.
    request.session.cycle_key()


@transaction.atomic
def reset_mfa(*, user, by=None) -> None:
    """Remove `user`'s authenticator and recovery codes and end their sessions (administrator reset).

    They set up a new authenticator at their next sign-in. Logged with ids only.
    """
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    end_sessions(user=user, by=by)
    logger.info("mfa reset: user=%s by=%s", user.pk, getattr(by, "pk", None))

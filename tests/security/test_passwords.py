"""Passwords are hashed with Argon2 and must pass the validators (SPEC §9, issue 10)."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from fss import settings as project_settings
from fss.core.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "cobalt kettle under a lighthouse"


def test_new_passwords_are_hashed_with_argon2(settings):
    # The test run swaps in a fast hasher (tests/conftest.py); put the project's back.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = UserFactory()
    user.set_password(GOOD)
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(GOOD)


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory()
    user.password = make_password(GOOD, hasher="pbkdf2_sha256")
    user.save()
    assert user.check_password(GOOD)  # check_password re-hashes with the preferred hasher
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Shrt-pw-1", "too short"),
        ("password1234", "too common"),
        ("cassandra.worker", "too similar"),
        ("483920571638", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, why):
    user = UserFactory.build(username="cassandra.worker", email="cassandra.worker@example.gov.uk")
    with pytest.raises(ValidationError, match=why):
        validate_password(password, user=user)


def test_a_long_unusual_password_passes():
    validate_password(GOOD, user=UserFactory.build(username="cass"))

"""Sign-in security for FSS (SPEC §9, issue 10).

- `sessions`: idle and absolute timeouts, ending a user's sessions;
- `reauth`: `recent_login_required` for sensitive actions, and the page that asks again;
- `mfa`: TOTP (django-otp) enrolment, verification, recovery codes, reset;
- `lockout`: django-axes keyed on username and address together, and unlocking;
- `middleware`: MFA enforcement, timeouts and the headers every response carries.
- `sensitive_fields`: the register of encrypted special category and criminal offence fields.

Import the decorator from here: `from fss.core.security import recent_login_required`.
"""

__all__ = ["recent_login_required"]


def __getattr__(name):
    # Imported lazily: this package is an installed app, loaded before models are ready.
    if name == "recent_login_required":
        from fss.core.security.reauth import recent_login_required

        return recent_login_required
    raise AttributeError(name)

from django import forms
from django.contrib.auth import authenticate

from fss.core.security import mfa


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, user, allow_recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.allow_recovery = allow_recovery
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        device = mfa.verify_code(user=self.user, code=code)
        if device is None:
            raise forms.ValidationError(
                "The code is not right or has been used. Check your authenticator app and try again"
                if self.allow_recovery
                else "The code is not right. Check your authenticator app and try again"
            )
        self.device = device
        return code


class ConfirmAuthenticatorForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=16,
        error_messages={"required": "Enter the 6-digit code shown in your authenticator app"},
    )


class ReauthenticateForm(forms.Form):
    """The password again, and a code when the user has an authenticator (SPEC §9)."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=32,
        required=False,
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.needs_code = mfa.has_authenticator(self.user)
        if not self.needs_code:
            del self.fields["code"]
        self.device = None

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        # authenticate() counts a wrong password towards lockout (django-axes).
        user = authenticate(self.request, username=self.user.get_username(), password=password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError({"password": "Your password is not right"})
        if self.needs_code:
            code = cleaned.get("code") or ""
            if not code:
                raise forms.ValidationError({"code": "Enter the code from your authenticator app"})
            self.device = mfa.verify_code(user=self.user, code=code)
            if self.device is None:
                raise forms.ValidationError({"code": "The code is not right or has been used"})
        return cleaned

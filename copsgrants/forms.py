from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from .email import send_templated_email

User = get_user_model()


class RegistrationForm(auth_forms.BaseUserCreationForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="You will sign in with this address; we send application receipts to it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = (
            "At least 12 characters; not a common password, not all numbers, "
            "not like your name or email."
        )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. Sign in, or reset your "
                "password if you have forgotten it."
            )
        return email


class SignInForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": "The email address or password is not right. Both are case-sensitive "
        "except the email address.",
        "inactive": "This account is inactive.",
        "unverified": "Confirm your email address first: we sent a link to %(email)s when you "
        "created your account. Open that link to finish, or get a new one below.",
    }
    # Set when the password was right but the address is not confirmed yet: the page then offers
    # a new link. Only after the right password, so the form never tells which addresses exist.
    unverified_email: str = ""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.email_verified:
            self.unverified_email = user.email
            raise forms.ValidationError(
                self.error_messages["unverified"], code="unverified", params={"email": user.email}
            )


class StaffSignInForm(AdminAuthenticationForm):
    """The admin's sign-in: staff only (Django's rule), and, as on the public site, only once the
    address is confirmed (a self-registered account later made staff)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise forms.ValidationError(
                SignInForm.error_messages["unverified"],
                code="unverified",
                params={"email": user.email},
            )


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you created your account with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label="Email address", max_length=254)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # Delivered by a Celery worker, so a slow mail server never blocks the request.
        context = {key: value for key, value in context.items() if key != "user"} | {
            "user_name": str(context["user"])
        }
        send_templated_email(template="registration/password_reset", context=context, to=[to_email])

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        # Accounts made in code (createsuperuser, demo data, OpenID Connect sign-in) have a known
        # address; only self-registration starts unverified (copsgrants.verification).
        extra.setdefault("email_verified_at", timezone.now())
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in is case-insensitive on the email address.
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in with an email address; there is no separate username."""

    username = None
    email = models.EmailField("email address", max_length=254, unique=True)
    # Null until the person opens the link we emailed at sign-up (or resets the password, or
    # signs in through OpenID Connect with a verified address); sign-in waits for it.
    email_verified_at = models.DateTimeField("email confirmed", null=True, blank=True)
    # When the last confirmation link was sent: resending is rate-limited per account.
    verification_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Whether the user has a confirmed second factor (an authenticator app or a security key):
    # kept by copsgrants.mfa's signals on those device models, wherever a device is added or
    # removed, so the gate on every request reads it without a query (copsgrants.mfa.is_on).
    two_step_on = models.BooleanField("two-step verification on", default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


# The device models whose confirmed rows are a second factor (django-otp's authenticator apps and
# django-otp-webauthn's security keys); recovery codes (otp_static) only back those up.
SECOND_FACTOR_MODELS = ("otp_totp.TOTPDevice", "django_otp_webauthn.WebAuthnCredential")


def second_factor_exists(registry=None) -> Exists:
    """A filter of a User query: the user has a confirmed authenticator app or security key.
    `registry` is the app registry (a migration passes its historical one)."""
    from django.apps import apps

    app, key = (
        Exists(
            (registry or apps).get_model(label).objects.filter(user=OuterRef("pk"), confirmed=True)
        )
        for label in SECOND_FACTOR_MODELS
    )
    return app | key


def has_second_factor(user_id: int) -> bool:
    """What `User.two_step_on` holds, asked of the device tables (one query)."""
    return User.objects.filter(pk=user_id).filter(second_factor_exists()).exists()


def _keep_two_step_on(sender, instance, **kwargs) -> None:
    """After a device is saved or deleted (by our services, the plugin, the admin or a shell):
    set its user's `two_step_on`, in the database and on the device's loaded user."""
    if kwargs.get("signal") is post_save and instance.confirmed:
        on = True  # this device counts: no need to ask for the others
        User.objects.filter(pk=instance.user_id, two_step_on=False).update(two_step_on=True)
    else:
        with transaction.atomic():
            # The user's row locked first: two devices removed at once cannot both see the
            # other one still there and leave the flag on.
            list(User.objects.select_for_update().filter(pk=instance.user_id).values("pk"))
            on = has_second_factor(instance.user_id)
            User.objects.filter(pk=instance.user_id).exclude(two_step_on=on).update(two_step_on=on)
    if sender.user.is_cached(instance):
        instance.user.two_step_on = on


for _label in SECOND_FACTOR_MODELS:
    # Lazy senders ("app_label.Model"): connected once those apps' models are loaded.
    post_save.connect(_keep_two_step_on, sender=_label, dispatch_uid=f"two_step_on:save:{_label}")
    post_delete.connect(_keep_two_step_on, sender=_label, dispatch_uid=f"two_step_on:del:{_label}")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )


class AuditEvent(models.Model):
    """One business event (agency registered, membership approved, application submitted, ...).

    Append-only: rows are written by `copsgrants.audit.record` from service functions and are
    never edited or deleted by the application.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(max_length=255)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    @property
    def description(self) -> str:
        """The verb for people: "membership.approved" reads "Membership approved"."""
        return self.verb.replace(".", " ").replace("_", " ").capitalize()

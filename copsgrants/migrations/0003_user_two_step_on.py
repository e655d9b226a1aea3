from django.db import migrations, models

from copsgrants.models import second_factor_exists


def set_two_step_on(apps, schema_editor):
    # The users who have a confirmed authenticator app or security key today (what
    # copsgrants.mfa.is_on asked of the device tables before the flag).
    User = apps.get_model("copsgrants", "User")
    User.objects.filter(second_factor_exists(apps)).update(two_step_on=True)


class Migration(migrations.Migration):
    dependencies = [
        ("copsgrants", "0002_user_email_verified_at"),
        ("otp_totp", "0003_add_timestamps"),
        ("django_otp_webauthn", "0004_webauthnuserhandle"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="two_step_on",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="two-step verification on"
            ),
        ),
        migrations.RunPython(set_two_step_on, migrations.RunPython.noop),
    ]

from django.db import migrations, models
from django.db.models.functions import Coalesce, Now


def mark_existing_users_verified(apps, schema_editor):
    # Accounts made before sign-up asked people to confirm their address keep working: they are
    # taken as confirmed when they joined (a bulk update: no history is wanted for this).
    User = apps.get_model("copsgrants", "User")
    User.objects.filter(email_verified_at__isnull=True).update(
        email_verified_at=Coalesce("date_joined", Now())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("copsgrants", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email confirmed"),
        ),
        migrations.AddField(
            model_name="user",
            name="verification_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_existing_users_verified, migrations.RunPython.noop),
    ]

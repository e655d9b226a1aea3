from django.db import migrations

from copsgrants.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("applications", "0014_awards_and_letters")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]

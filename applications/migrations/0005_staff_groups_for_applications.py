from django.db import migrations

from copsgrants.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_return_permission")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]

from django.db import migrations

from copsgrants.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("applications", "0011_screening_review_scoring_plans")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]

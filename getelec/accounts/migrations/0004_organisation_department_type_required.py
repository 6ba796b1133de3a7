"""A department has a department type; no other organisation has one (a separate migration
from the data fill in 0003: PostgreSQL alters no table with pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_organisation_new_kinds_and_department_type"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        (
                            "department_type__in",
                            ("housing", "natural_resources", "water", "transport", "public_security"),
                        ),
                        ("kind", "department"),
                    ),
                    models.Q(models.Q(("kind", "department"), _negated=True), ("department_type", "")),
                    _connector="OR",
                ),
                name="organisation_department_type",
                violation_error_message="政府部门必须选择部门类别，其他机构不填写部门类别",
            ),
        ),
    ]

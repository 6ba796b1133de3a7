"""The admin's per-user grant letting a province-level supply company's account work its
branches' applications (getelec.accounts.powers, GRANTED_POWERS)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_organisation_department_type_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActingGrant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("granted_at", models.DateTimeField(verbose_name="授权时间")),
                ("reason", models.CharField(max_length=200, verbose_name="授权事由")),
                (
                    "granted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="授权人",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="所属机构",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="acting_grant",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="授权账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "代办下属单位申请授权",
                "verbose_name_plural": "代办下属单位申请授权",
            },
        ),
    ]

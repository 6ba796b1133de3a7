"""The Document model moves from the connection app to this one without touching its data: the
state is created here on the existing table `connection_document` (connection 0004 drops it
from connection's state only), and its content type follows it (admin log and permissions)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import getelec.documents.models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="documents", model="document").exists():
        return
    ContentType.objects.using(db).filter(app_label="connection", model="document").update(
        app_label="documents"
    )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="connection", model="document").exists():
        return
    ContentType.objects.using(db).filter(app_label="documents", model="document").update(
        app_label="connection"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("connection", "0003_application_scope_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Document",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("id_card", "身份证明"),
                                    ("business_licence", "营业执照"),
                                    ("property_certificate", "产权证明"),
                                    ("authorisation", "授权委托书"),
                                    ("other", "其他"),
                                ],
                                max_length=24,
                                verbose_name="材料类型",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=200,
                                upload_to=getelec.documents.models.document_path,
                                verbose_name="文件",
                            ),
                        ),
                        ("original_name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("content_type", models.CharField(max_length=100)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        (
                            "valid_until",
                            models.DateField(blank=True, null=True, verbose_name="有效期至"),
                        ),
                        (
                            "uploaded_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="上传时间"),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="documents",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "办电材料",
                        "verbose_name_plural": "办电材料",
                        "db_table": "connection_document",
                        "ordering": ["owner_id", "kind", "-uploaded_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("owner", "kind", "sha256"), name="document_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]

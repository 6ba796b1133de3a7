"""Document now lives in getelec.documents (documents 0001 took over its table): the
applications' documents point there, and connection forgets the model. State only; no table,
row or file changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("connection", "0004_structured_decision_reasons"),
        ("documents", "0001_document_moved_from_connection"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application",
                    name="documents",
                    field=models.ManyToManyField(
                        blank=True, related_name="applications", to="documents.document"
                    ),
                ),
                migrations.DeleteModel(name="Document"),
            ],
            database_operations=[],
        ),
    ]

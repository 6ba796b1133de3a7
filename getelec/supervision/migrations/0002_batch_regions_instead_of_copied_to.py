"""A monthly batch goes to the two region regulators only (T2); the city energy authority that
was "copied" reads its city's batches through the regions the batch concerns."""

from django.db import migrations, models


def regions_from_copies(apps, schema_editor):
    """Keep who could read each batch: its company's region and the copied authorities'."""
    MonthlyBatch = apps.get_model("supervision", "MonthlyBatch")
    for batch in MonthlyBatch.objects.select_related("company").prefetch_related("copied_to"):
        codes = {o.region_id for o in batch.copied_to.all() if o.region_id}
        if batch.company.region_id:
            codes.add(batch.company.region_id)
        batch.regions.set(sorted(codes))


def copies_from_regions(apps, schema_editor):
    """Back: the city energy authorities of the batch's regions."""
    MonthlyBatch = apps.get_model("supervision", "MonthlyBatch")
    Organisation = apps.get_model("accounts", "Organisation")
    for batch in MonthlyBatch.objects.prefetch_related("regions"):
        cities = {r.code[:4] + "00" for r in batch.regions.all()}
        batch.copied_to.set(
            Organisation.objects.filter(kind="energy_authority", region_id__in=sorted(cities))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_throttle_counter"),
        ("supervision", "0001_ledger_filings_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlybatch",
            name="regions",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="accounts.region", verbose_name="涉及区划"
            ),
        ),
        migrations.RunPython(regions_from_copies, copies_from_regions),
        migrations.RemoveField(model_name="monthlybatch", name="copied_to"),
    ]

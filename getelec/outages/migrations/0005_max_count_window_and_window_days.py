"""max_count_60 becomes max_count_window (the most counted interruptions in any window of the
policy's length, L28), with window_days beside it: existing rows get the outage_window_days
value in force on their as-of date."""

from django.db import migrations, models


def fill_window_days(apps, schema_editor):
    from getelec.kernel.policy import param

    for name in ("DistrictStatus", "LedgerEntry"):
        model = apps.get_model("outages", name)
        for as_of in model.objects.values_list("as_of", flat=True).distinct():
            days = param("outage_window_days", as_of).value
            model.objects.filter(as_of=as_of).update(window_days=days)


class Migration(migrations.Migration):
    dependencies = [
        ("outages", "0004_meter_customer_number"),
    ]

    operations = [
        migrations.RenameField("districtstatus", "max_count_60", "max_count_window"),
        migrations.RenameField("ledgerentry", "max_count_60", "max_count_window"),
        migrations.AlterField(
            model_name="ledgerentry",
            name="max_count_window",
            field=models.PositiveIntegerField(default=0, verbose_name="窗口内最多停电次数"),
        ),
        migrations.AddField(
            model_name="districtstatus",
            name="window_days",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="window_days",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="窗口天数"),
        ),
        migrations.RunPython(fill_window_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="districtstatus",
            name="window_days",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="window_days",
            field=models.PositiveSmallIntegerField(verbose_name="窗口天数"),
        ),
    ]

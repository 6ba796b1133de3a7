"""Organisation kinds property manager, developer and energy-service company; a department type
on departments, filled in for existing departments from their names (0004 then requires it)."""

from django.db import migrations, models


# Frozen copy of getelec.accounts.models.department_type_for as of this migration.
_DEPARTMENT_WORDS = (
    (("公安", "交警", "交通警察"), "public_security"),
    (("住房和城乡", "住建"), "housing"),
    (("自然资源",), "natural_resources"),
    (("水利", "水务"), "water"),
    (("交通运输",), "transport"),
)


def department_type_for(name):
    for words, department_type in _DEPARTMENT_WORDS:
        if any(word in name for word in words):
            return department_type
    return ""


def fill_department_types(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    unknown = []
    for org in Organisation.objects.filter(kind="department", department_type=""):
        department_type = department_type_for(org.name) or department_type_for(org.short_name)
        if not department_type:
            unknown.append(org.name)
            continue
        org.department_type = department_type
        org.save(update_fields=["department_type"])
    if unknown:
        raise RuntimeError(
            "These departments do not name their department type (housing, natural resources, "
            f"water, transport, public security); set it, then migrate again: {unknown}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_throttle_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="department_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("housing", "住房和城乡建设"),
                    ("natural_resources", "自然资源"),
                    ("water", "水利"),
                    ("transport", "交通运输"),
                    ("public_security", "公安（交警）"),
                ],
                default="",
                help_text="仅政府部门填写，且必须填写",
                max_length=20,
                verbose_name="部门类别",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("supply_company", "供电企业"),
                    ("regulator", "监管机构"),
                    ("department", "政府部门"),
                    ("energy_authority", "地方能源主管部门"),
                    ("property_manager", "物业服务企业"),
                    ("developer", "房屋开发建设单位"),
                    ("energy_service_company", "综合能源服务企业"),
                ],
                max_length=24,
                verbose_name="类型",
            ),
        ),
        migrations.RunPython(fill_department_types, migrations.RunPython.noop),
    ]

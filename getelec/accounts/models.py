"""Users, roles, organisations and administrative regions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.accounts.masking import mask_id_number, mask_phone

# Organisation.DepartmentType values (the check constraint cannot refer to the class body).
DEPARTMENT_TYPE_VALUES = ("housing", "natural_resources", "water", "transport", "public_security")
# Words in a department's name → its type (department_type_for); public security first, so a
# traffic police unit (交通警察) is not read as transport.
_DEPARTMENT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("公安", "交警", "交通警察"), "public_security"),
    (("住房和城乡", "住建"), "housing"),
    (("自然资源",), "natural_resources"),
    (("水利", "水务"), "water"),
    (("交通运输",), "transport"),
)


class Region(models.Model):
    """An administrative division by its 6-digit code: 640000 → cities → counties."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("自治区")
        CITY = "city", _("地级市")
        COUNTY = "county", _("县（市、区）")

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_prefix(self) -> str:
        """Codes under this region start with this prefix (64 / 6401 / 640104)."""
        if self.level == self.Level.PROVINCE:
            return self.code[:2]
        if self.level == self.Level.CITY:
            return self.code[:4]
        return self.code

    def chain(self) -> list[Region]:
        regions: list[Region] = []
        current: Region | None = self
        while current is not None:
            regions.append(current)
            current = current.parent
        return regions


class Organisation(models.Model):
    """A unit the platform knows: who it is (kind), where it works (region) and, for a
    government department, which department it is (its powers: getelec.accounts.powers)."""

    class Kind(models.TextChoices):
        SUPPLY_COMPANY = "supply_company", _("供电企业")
        REGULATOR = "regulator", _("监管机构")
        DEPARTMENT = "department", _("政府部门")
        ENERGY_AUTHORITY = "energy_authority", _("地方能源主管部门")
        PROPERTY_MANAGER = "property_manager", _("物业服务企业")  # T9
        DEVELOPER = "developer", _("房屋开发建设单位")  # T7
        ENERGY_SERVICE_COMPANY = "energy_service_company", _("综合能源服务企业")  # L37–L39

    class DepartmentType(models.TextChoices):
        """The departments that approve external connection works (T4) and 附件2 names."""

        HOUSING = "housing", _("住房和城乡建设")
        NATURAL_RESOURCES = "natural_resources", _("自然资源")
        WATER = "water", _("水利")
        TRANSPORT = "transport", _("交通运输")
        PUBLIC_SECURITY = "public_security", _("公安（交警）")

    name = models.CharField(_("名称"), max_length=128, unique=True)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    department_type = models.CharField(
        _("部门类别"),
        max_length=20,
        choices=DepartmentType.choices,
        blank=True,
        default="",
        help_text=_("仅政府部门填写，且必须填写"),
    )
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("服务区域"))
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="branches"
    )

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [
            # A department says which department it is; nobody else has a department type.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="department", department_type__in=DEPARTMENT_TYPE_VALUES)
                    | (~models.Q(kind="department") & models.Q(department_type=""))
                ),
                name="organisation_department_type",
                violation_error_message=_("政府部门必须选择部门类别，其他机构不填写部门类别"),
            )
        ]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.DEPARTMENT and not self.department_type:
            raise ValidationError({"department_type": _("政府部门必须选择部门类别")})
        if self.kind != self.Kind.DEPARTMENT and self.department_type:
            raise ValidationError({"department_type": _("只有政府部门填写部门类别")})


def department_type_for(name: str) -> str:
    """The department type a department's name states (住房和城乡建设厅 → housing), or "" when
    it states none: how the 附件2 loader and the migration give a named unit its type."""
    for words, department_type in _DEPARTMENT_WORDS:
        if any(word in name for word in words):
            return department_type
    return ""


class User(AbstractUser):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        STAFF = "staff", _("供电企业工作人员")
        REGULATOR = "regulator", _("监管人员")
        DEPARTMENT = "department", _("审批部门工作人员")
        ADMIN = "admin", _("系统管理员")

    role = models.CharField(_("角色"), max_length=12, choices=Role.choices, default=Role.APPLICANT)
    display_name = models.CharField(_("姓名/名称"), max_length=128, blank=True)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, verbose_name=_("所属机构")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, verbose_name=_("负责区域")
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role == self.Role.APPLICANT

    @property
    def is_company_staff(self) -> bool:
        return self.role == self.Role.STAFF

    @property
    def is_regulator(self) -> bool:
        return self.role == self.Role.REGULATOR

    @property
    def is_platform_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class ActingGrant(models.Model):
    """A platform admin's grant letting one account of the province-level supply company work
    its branches' applications like the branch's own staff (getelec.accounts.powers,
    GRANTED_POWERS). Given and revoked only through getelec.accounts.services (Django admin or
    `getelec accounts grant-acting`), each with an audit row; it stands only while the account
    stays in `organisation`."""

    user = models.OneToOneField(
        User, models.CASCADE, related_name="acting_grant", verbose_name=_("授权账号")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("所属机构")
    )
    granted_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("授权人"))
    granted_at = models.DateTimeField(_("授权时间"))
    reason = models.CharField(_("授权事由"), max_length=200)

    class Meta:
        verbose_name = _("代办下属单位申请授权")
        verbose_name_plural = _("代办下属单位申请授权")

    def __str__(self) -> str:
        return f"{self.user}（{self.organisation}）"


class ThrottleCounter(models.Model):
    """One fixed-window counter of the abuse throttles (getelec.accounts.throttle).

    Kept in the database, not the per-process cache, so every worker process shares the
    same budget. `key` names the rule and what is counted (e.g. an account and a client).
    """

    key = models.CharField(max_length=255, primary_key=True)
    window_start = models.BigIntegerField(db_index=True)  # Unix seconds
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"

"""One demo account per role. DEMO ONLY: the passwords are fixed and printed.

Never run `getelec demo` against a production database: anyone who reads this file can log in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from getelec.accounts.models import Organisation, Region, User
from getelec.audit.services import record
from getelec.demo import reference


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    organisation: str | None  # organisation name
    region: str | None  # admin code
    superuser: bool = False
    phone: str = ""
    id_number: str = ""


def _staff(username: str, city_short: str, city_code: str, person: str) -> DemoAccount:
    return DemoAccount(
        username,
        "demo-staff-2026",
        User.Role.STAFF,
        f"{person}（{city_short}客户经理）",
        reference.branch_name(city_short),
        city_code,
    )


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "demo-applicant",
        "demo-applicant-2026",
        User.Role.APPLICANT,
        "马建国",
        None,
        "640104",
        phone="13800000001",
        id_number="640121198503120016",
    ),
    DemoAccount(
        "demo-enterprise",
        "demo-enterprise-2026",
        User.Role.APPLICANT,
        "银川塞上枸杞红商贸有限公司",
        None,
        "640106",
        phone="13800000002",
        id_number="91640100MA76Y0L082",
    ),
    _staff("demo-staff-yinchuan", "银川", "640100", "李秀兰"),
    _staff("demo-staff-shizuishan", "石嘴山", "640200", "王志强"),
    _staff("demo-staff-wuzhong", "吴忠", "640300", "杨海燕"),
    _staff("demo-staff-guyuan", "固原", "640400", "海玉梅"),
    _staff("demo-staff-zhongwei", "中卫", "640500", "张国华"),
    # The provincial company: 附件2's 各供电企业 rows are its own (its city branches report
    # through it), so this account files the ledger progress reports. It reads its branches'
    # applications read-only (no acting grant in the demo: `getelec accounts grant-acting`).
    DemoAccount(
        "demo-staff-ningxia",
        "demo-staff-2026",
        User.Role.STAFF,
        "丁晓峰（国网宁夏电力营销部）",
        reference.PROVINCIAL_COMPANY,
        "640000",
    ),
    DemoAccount(
        "demo-regulator-drc",
        "demo-regulator-2026",
        User.Role.REGULATOR,
        "自治区发展改革委（监管）",
        reference.REGULATOR_DRC,
        "640000",
    ),
    DemoAccount(
        "demo-regulator-nea",
        "demo-regulator-2026",
        User.Role.REGULATOR,
        "西北能源监管局（监管）",
        reference.REGULATOR_NEA,
        "640000",
    ),
    DemoAccount(
        "demo-department",
        "demo-department-2026",
        User.Role.DEPARTMENT,
        "自治区住房和城乡建设厅（审批）",
        "宁夏回族自治区住房和城乡建设厅",
        "640000",
    ),
    # The enterprises the communities and energy-service domains will involve (T7, T9,
    # L37–L39): customers of the platform, so applicant accounts in their organisation.
    DemoAccount(
        "demo-property-manager",
        "demo-enterprise-2026",
        User.Role.APPLICANT,
        "周丽（凤城物业客服）",
        "银川凤城物业服务有限公司",
        "640100",
    ),
    DemoAccount(
        "demo-developer",
        "demo-enterprise-2026",
        User.Role.APPLICANT,
        "郭建军（贺兰山置业工程部）",
        "宁夏贺兰山置业有限公司",
        "640100",
    ),
    DemoAccount(
        "demo-energy-service",
        "demo-enterprise-2026",
        User.Role.APPLICANT,
        "宁夏塞上综合能源服务有限公司（能效服务）",
        "宁夏塞上综合能源服务有限公司",
        "640000",
    ),
    DemoAccount(
        "demo-admin",
        "demo-admin-2026",
        User.Role.ADMIN,
        "平台管理员",
        None,
        "640000",
        superuser=True,
    ),
]

DEMO_USERNAME_PREFIX = "demo-"

# Demo-only enterprises (fictional; not reference data): one of each kind that has no
# organisation in the Ningxia reference data.
DEMO_ORGANISATIONS: list[reference.OrgSpec] = [
    reference.OrgSpec(
        "银川凤城物业服务有限公司", "凤城物业", Organisation.Kind.PROPERTY_MANAGER, "640100"
    ),
    reference.OrgSpec(
        "宁夏贺兰山置业有限公司", "贺兰山置业", Organisation.Kind.DEVELOPER, "640100"
    ),
    reference.OrgSpec(
        "宁夏塞上综合能源服务有限公司",
        "塞上综合能源",
        Organisation.Kind.ENERGY_SERVICE_COMPANY,
        "640000",
    ),
]


def ensure_organisations(actor: Any = "getelec demo") -> None:
    """Create or correct the demo-only organisations (idempotent, audited)."""
    summary = reference.LoadSummary()
    with transaction.atomic():
        for spec in DEMO_ORGANISATIONS:
            reference.upsert(
                Organisation,
                {"name": spec.name},
                {
                    "short_name": spec.short_name,
                    "kind": spec.kind,
                    "department_type": spec.department_type,
                    "region_id": spec.region,
                    "parent_id": None,
                },
                actor,
                summary,
            )


def ensure_accounts(actor: Any = "getelec demo") -> dict[str, User]:
    """Create or correct the demo accounts (idempotent); returns them by username."""
    ensure_organisations(actor)
    orgs = {o.name: o for o in Organisation.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    users: dict[str, User] = {}
    for spec in DEMO_ACCOUNTS:
        with transaction.atomic():
            wanted = {
                "role": spec.role,
                "display_name": spec.display_name,
                "organisation": orgs[spec.organisation] if spec.organisation else None,
                "region": regions[spec.region] if spec.region else None,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
                "is_active": True,
                "phone": spec.phone,
                "id_number": spec.id_number,
            }
            user = User.objects.select_for_update().filter(username=spec.username).first()
            if user is None:
                user = User(username=spec.username, **wanted)
                user.set_password(spec.password)
                user.save()
                record(
                    actor,
                    "demo.create_account",
                    user,
                    {},
                    _auditable(wanted),
                    reason="演示账号（仅供演示）",
                )
            else:
                old = {k: getattr(user, k) for k, v in wanted.items() if getattr(user, k) != v}
                password_reset = not user.check_password(spec.password)
                if old or password_reset:
                    for key in old:
                        setattr(user, key, wanted[key])
                    if password_reset:
                        user.set_password(spec.password)
                    user.save()
                    new = {k: wanted[k] for k in old}
                    if password_reset:
                        old["password"], new["password"] = "（已更改）", "（演示密码）"
                    record(
                        actor,
                        "demo.update_account",
                        user,
                        _auditable(old),
                        _auditable(new),
                        reason="恢复演示账号",
                    )
            users[spec.username] = user
    return users


def _auditable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}


def staff_by_company() -> dict[int, User]:
    """The demo staff account of each supply company (the city branches and the provincial
    company), keyed by organisation id."""
    return {
        u.organisation_id: u
        for u in User.objects.filter(
            username__startswith=DEMO_USERNAME_PREFIX, role=User.Role.STAFF
        )
        if u.organisation_id
    }


def accounts_table() -> str:
    """The demo accounts as an aligned text table (printed by `getelec demo`)."""
    rows = [("用户名 username", "密码 password", "角色 role", "机构 organisation")]
    for spec in DEMO_ACCOUNTS:
        role = str(User.Role(spec.role).label)
        rows.append((spec.username, spec.password, role, spec.organisation or spec.display_name))
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [c + " " * (w - _width(c)) for c, w in zip(row[:3], widths, strict=True)]
        lines.append("  ".join([*cells, row[3]]))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)

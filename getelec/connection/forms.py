"""Web forms of the connection service: parsing and presentation only.

Rules (eligibility, limits, checksums) live in getelec.core and the services; these forms turn
the posted text into typed values and give every error a Chinese message naming the field.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from getelec.accounts.models import Region
from getelec.connection import validators
from getelec.connection.inputs import rule_payload
from getelec.connection.models import (
    Category,
    CustomerType,
    Document,
    DocumentKind,
    GridUpgradeCause,
    KeyProject,
    PauseReason,
    Purpose,
    RequestType,
    Status,
    Supply,
    Voltage,
)
from getelec.kernel.forms import NamedErrorsMixin

UPLOAD_KINDS: tuple[str, ...] = (
    DocumentKind.ID_CARD,
    DocumentKind.BUSINESS_LICENCE,
    DocumentKind.PROPERTY_CERTIFICATE,
    DocumentKind.AUTHORISATION,
    DocumentKind.OTHER,
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessFieldsForm(NamedErrorsMixin, forms.Form):
    """The fields the rules read; the live preview binds only these."""

    customer_type = forms.ChoiceField(label=gettext_lazy("用户类型"), choices=CustomerType.choices)
    region = forms.ModelChoiceField(
        label=gettext_lazy("所在县（市、区）"),
        queryset=Region.objects.filter(level=Region.Level.COUNTY).select_related("parent"),
        to_field_name="code",
        empty_label=gettext_lazy("请选择"),
    )
    request_type = forms.ChoiceField(
        label=gettext_lazy("业务类型"), choices=RequestType.choices, initial=RequestType.NEW
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("用电用途"), choices=Purpose.choices, initial=Purpose.GENERAL
    )
    capacity_kw = forms.DecimalField(
        label=gettext_lazy("报装容量（千瓦）"),
        min_value=Decimal("0.01"),
        max_value=Decimal("10000000"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
    )
    voltage = forms.ChoiceField(
        label=gettext_lazy("供电电压"),
        choices=[("", gettext_lazy("由系统按规则建议")), *list(Voltage.choices)],
        required=False,
    )
    supply = forms.ChoiceField(
        label=gettext_lazy("电源"), choices=Supply.choices, initial=Supply.SINGLE
    )
    external_works = forms.BooleanField(
        label=gettext_lazy("涉及电力外线工程（计量箱安装、接户线或线路改造）"), required=False
    )
    requested_high_voltage = forms.BooleanField(
        label=gettext_lazy("因自身原因要求高压供电"), required=False
    )
    hv_to_lv_deregistration = forms.BooleanField(
        label=gettext_lazy("高压供电用户申请销户转低压"), required=False
    )
    property_existing_kw = forms.DecimalField(
        label=gettext_lazy("同一产权范围已有及在途容量（千瓦）"),
        min_value=Decimal("0"),
        max_value=Decimal("10000000"),
        max_digits=12,
        decimal_places=2,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )

    def clean_property_existing_kw(self) -> Decimal:
        return self.cleaned_data.get("property_existing_kw") or Decimal(0)

    def assess_payload(self, applied_on: dt.date) -> dict[str, Any]:
        """The input of getelec.core.assess (AssessInput) from the cleaned fields."""
        return rule_payload(self.cleaned_data, applied_on)


class ApplicationForm(AssessFieldsForm):
    """The one form an applicant fills in (T3: one form, one flow)."""

    customer_name = forms.CharField(label=gettext_lazy("户名"), max_length=128)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号/统一社会信用代码"),
        max_length=32,
        help_text=gettext_lazy("居民填写身份证号，企业和组织填写18位统一社会信用代码"),
    )
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)
    address = forms.CharField(label=gettext_lazy("用电地址"), max_length=255)
    property_scope = forms.CharField(
        label=gettext_lazy("同一产权范围标识"),
        max_length=128,
        help_text=gettext_lazy("不动产权证号或其他能识别同一产权范围的编号"),
    )
    reuse_documents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("沿用已提交且在有效期内的材料"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Idempotent submission: a key generated with the empty form and rendered in it (hidden), so
    # a repeated POST of the same form (double click, reload, back and submit again) returns
    # the first application. A POST without it is refused (clean): it cannot be deduplicated.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = [
        "customer_type",
        "customer_name",
        "id_number",
        "contact_phone",
        "region",
        "address",
        "property_scope",
    ]

    def __init__(self, *args: Any, reusable: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))
        if reusable is not None:
            self.fields["reuse_documents"].queryset = reusable
        self.fields["reuse_documents"].label_from_instance = _document_label
        self.fields["requested_high_voltage"].widget.attrs["data-toggle"] = "hv-notice"
        for kind in UPLOAD_KINDS:
            label = DocumentKind(kind).label
            self.fields[f"doc_{kind}"] = forms.FileField(
                label=label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
            self.fields[f"doc_{kind}_valid_until"] = forms.DateField(
                label=_("%(kind)s有效期至") % {"kind": label},
                required=False,
                widget=_date_input(),
            )
        # The mixin ran before these fields existed: name them in their messages too.
        for name, field in self.fields.items():
            if name.startswith("doc_"):
                label = str(field.label)
                field.error_messages["invalid"] = _("“%(field)s”格式不正确。") % {"field": label}

    def upload_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"doc_{k}"], self[f"doc_{k}_valid_until"]) for k in UPLOAD_KINDS]

    def _clean_upload(self, kind: str) -> Any:
        name = f"doc_{kind}"
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        label = self.fields[name].label
        max_bytes = settings.DOCUMENT_MAX_BYTES
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("“%(field)s”文件过大（上限%(mb)s MB）。")
                % {"field": label, "mb": f"{max_bytes / 1024 / 1024:g}"}
            )
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        head = upload.read(16)
        upload.seek(0)
        sniffed = validators.sniff_content_type(head)  # the services' check, by content
        if sniffed not in validators.DOCUMENT_TYPES or suffix not in validators.EXTENSIONS[sniffed]:
            raise forms.ValidationError(
                _("“%(field)s”文件类型不支持，只接受PDF、JPG、PNG文件。") % {"field": label}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "submission_key" in data and not data["submission_key"].strip():
            self.add_error(None, _("表单缺少提交标识（可能已过期），请刷新页面后重新提交。"))
        for kind in UPLOAD_KINDS:
            try:
                data[f"doc_{kind}"] = self._clean_upload(kind)
            except forms.ValidationError as exc:
                self.add_error(f"doc_{kind}", exc)
        return data

    def uploads(self) -> list[tuple[str, Any, dt.date | None]]:
        return [
            (
                kind,
                self.cleaned_data[f"doc_{kind}"],
                self.cleaned_data.get(f"doc_{kind}_valid_until"),
            )
            for kind in UPLOAD_KINDS
            if self.cleaned_data.get(f"doc_{kind}")
        ]


def _document_label(document: Document) -> str:
    valid = (
        _("有效期至%(date)s") % {"date": document.valid_until.isoformat()}
        if document.valid_until
        else _("长期有效")
    )
    return f"{document.get_kind_display()} · {document.original_name}（{valid}）"


class CapacitySuggestForm(NamedErrorsMixin, forms.Form):
    floor_area_m2 = forms.DecimalField(
        label=gettext_lazy("建筑面积（平方米）"),
        min_value=Decimal("1"),
        max_value=Decimal("100000"),
        max_digits=9,
        decimal_places=2,
    )


class PublicLookupForm(NamedErrorsMixin, forms.Form):
    number = forms.CharField(label=gettext_lazy("申请编号"), max_length=20)
    verification_code = forms.CharField(
        label=gettext_lazy("查询验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def clean_verification_code(self) -> str:
        return self.cleaned_data["verification_code"].strip()


# --- staff actions on one application (each carries the version it was read at) -------------


class VersionedForm(NamedErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AdvanceForm(VersionedForm):
    expected_stage = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("办理意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(VersionedForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("我已知悉“三零”服务政策，确认因自身原因采用高压供电")
    )


class PauseForm(VersionedForm):
    # AWAITING_CONSENT is set by the system only (T1); staff choose among the others.
    reason = forms.ChoiceField(
        label=gettext_lazy("暂停原因（仅限客户原因）"),
        choices=[c for c in PauseReason.choices if c[0] != PauseReason.AWAITING_CONSENT],
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResumeForm(VersionedForm):
    pass


class GridUpgradeForm(VersionedForm):
    cause = forms.ChoiceField(
        label=gettext_lazy("无法满足时限的原因"), choices=GridUpgradeCause.choices
    )
    project = forms.CharField(label=gettext_lazy("配套电网工程"), max_length=200)
    committed_on = forms.DateField(label=gettext_lazy("承诺完成日期"), widget=_date_input())
    customer_informed_on = forms.DateField(label=gettext_lazy("告知客户日期"), widget=_date_input())
    reason = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContractedDateForm(VersionedForm):
    contracted_on = forms.DateField(
        label=gettext_lazy("约定接电日期"), required=False, widget=_date_input()
    )


class KeyProjectForm(VersionedForm):
    level = forms.ChoiceField(
        label=gettext_lazy("重大项目绿色通道"), choices=KeyProject.choices, required=False
    )


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label=gettext_lazy("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- list filters ----------------------------------------------------------------------------


def _with_all(choices: Any) -> list[tuple[str, Any]]:
    return [("", gettext_lazy("全部")), *list(choices)]


class QueueFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("办电类别"), choices=_with_all(Category.choices), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=_with_all(
            [
                (s.value, s.label)
                for s in (Status.IN_PROGRESS, Status.PAUSED, Status.AWAITING_CONSENT)
            ]
        ),
        required=False,
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅看已超期"), required=False)


class RegulatorFilterForm(forms.Form):
    company = forms.ModelChoiceField(
        label=gettext_lazy("供电企业"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("全部"),
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("县（市、区）"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("全部"),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("办电类别"), choices=_with_all(Category.choices), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), choices=_with_all(Status.choices), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅看已超期"), required=False)

    def __init__(self, *args: Any, companies: Any, counties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["county"].queryset = counties

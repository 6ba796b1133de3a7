"""Web forms of the regulator's desk (validation of shape; rules live in services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from getelec.connection.models import GridUpgradeCause
from getelec.kernel.forms import NamedErrorsMixin
from getelec.supervision.models import ReportProgress, ReviewStatus
from getelec.supervision.rules import Quarter
from getelec.supervision.services import FilingInput


class DateInput(forms.DateInput):
    """An HTML date input needs ISO values (2027-01-29) whatever the locale's display format
    (zh-hans renders 2027/01/29, which the browser rejects and shows as empty)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FilingForm(NamedErrorsMixin, forms.Form):
    """Form A1; every error names its field in Chinese (like the application form)."""

    project_name = forms.CharField(label=_("项目名称"), max_length=200)
    cause = forms.ChoiceField(label=_("无法满足时限的原因"), choices=GridUpgradeCause.choices)
    cause_detail = forms.CharField(
        label=_("原因说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明工程（审批、受阻）的具体情况及其对接电时限的影响"),
    )
    upgrade_project = forms.CharField(label=_("配套电网工程（审批事项）名称"), max_length=200)
    committed_on = forms.DateField(label=_("承诺完成（接电）日期"), widget=DateInput)
    measures = forms.CharField(
        label=_("已采取措施"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如同步建设配套电网、临时供电过渡方案、协调审批部门等"),
    )
    customer_informed_on = forms.DateField(label=_("告知用户日期"), widget=DateInput)
    customer_informed_how = forms.CharField(
        label=_("告知方式"), max_length=64, help_text=_("如书面告知书、短信、电话（录音）")
    )
    contact = forms.CharField(label=_("填报人及联系电话"), max_length=100)
    late_reason = forms.CharField(
        label=_("逾期备案说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("超过规定时限到期日后报送的，须说明原因"),
    )

    def to_input(self) -> FilingInput:
        return FilingInput(**self.cleaned_data)

    @classmethod
    def initial_from(cls, data: FilingInput) -> dict[str, object]:
        return {k: v for k, v in vars(data).items() if v not in (None, "")}


class ReviseForm(FilingForm):
    reason = forms.CharField(label=_("修订原因"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def to_input(self) -> FilingInput:
        data = dict(self.cleaned_data)
        data.pop("reason"), data.pop("version")
        return FilingInput(**data)


class ReportForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.ChoiceField(label=_("报告季度"))
    progress = forms.ChoiceField(label=_("进展状态"), choices=ReportProgress.choices)
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, quarters: Sequence[Quarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = cast(forms.ChoiceField, self.fields["period"])
        period.choices = [(str(q), q.label) for q in quarters]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(ReviewStatus.ACCEPTED, _("通过")), (ReviewStatus.RETURNED, _("退回"))],
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回时必填"),
    )


class MonthForm(forms.Form):
    month = forms.CharField(label=_("月份"), help_text=_("如 2026-10"))

    def clean_month(self) -> dt.date:
        raw = self.cleaned_data["month"].strip()
        try:
            return dt.date.fromisoformat(raw + "-01")
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，如 2026-10")) from None

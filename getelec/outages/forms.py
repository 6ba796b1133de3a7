"""Forms of the supply-quality desk (labels in Chinese; services validate the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from getelec.kernel.forms import NamedErrorsMixin
from getelec.outages.models import InspectionKind, RepairStage


class DateInput(forms.DateInput):
    """An HTML date input needs ISO values whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanForm(VersionForm):
    measures = forms.CharField(
        label=_("整改措施"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：问题台区线路“整线成片”标准化治理、更换老旧设备、加装分段开关"),
    )
    budget_wan = forms.DecimalField(
        label=_("投资（万元）"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    target_on = forms.DateField(label=_("计划完成日期"), widget=DateInput)
    responsible_team = forms.CharField(label=_("责任班组"), max_length=128)


class RectifyForm(VersionForm):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DateInput)
    note = forms.CharField(label=_("整改完成情况"), widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(VersionForm):
    verified_on = forms.DateField(label=_("核验日期"), widget=DateInput)
    inspection_kind = forms.ChoiceField(label=_("核验方式"), choices=InspectionKind.choices)
    inspection_record = forms.CharField(
        label=_("核验记录"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(VersionForm):
    reason = forms.CharField(label=_("销号意见"), required=False, max_length=500)


class PlannedOutageForm(forms.Form):
    feeder = forms.CharField(label=_("10千伏线路编号"), max_length=64)
    districts = forms.CharField(
        label=_("台区编号（多个用逗号分隔；留空为整条线路）"), required=False, max_length=2000
    )
    start = forms.DateTimeField(label=_("停电开始"), widget=DateTimeInput)
    end = forms.DateTimeField(label=_("停电结束"), widget=DateTimeInput)
    work = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm_warning = forms.BooleanField(
        label=_("已知晓将超过频繁停电标准，仍需安排"), required=False
    )


class CancelPlannedOutageForm(NamedErrorsMixin, forms.Form):
    """Errors name the field (“请填写“取消原因”。”); the reason goes to the audit row and to the
    customers' notice."""

    reason = forms.CharField(
        label=_("取消原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RepairForm(forms.Form):
    district = forms.CharField(label=_("台区编号"), max_length=64)
    description = forms.CharField(label=_("故障描述"), max_length=255)


class AdvanceRepairForm(forms.Form):
    stage = forms.ChoiceField(label=_("抢修进度"), choices=RepairStage.choices)
    at = forms.DateTimeField(label=_("时间"), required=False, widget=DateTimeInput)


class LookupForm(forms.Form):
    q = forms.CharField(label=_("户号或电能表编号"), max_length=64)

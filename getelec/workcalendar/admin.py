"""Admin: list imported years and import a year's JSON schedule without a release."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from getelec.core.workdays import CalendarDataError, parse_year
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.services import import_year


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label="节假日安排文件（JSON）",
        help_text='{"year": 2027, "holidays": ["2027-01-01", …], "workdays": ["2027-…"]}',
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > 200_000:
            raise forms.ValidationError("文件过大（上限200KB）")
        try:
            data = json.loads(upload.read().decode("utf-8"))
            return parse_year(data, source=upload.name)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(f"不是有效的JSON文件：{exc}") from None
        except CalendarDataError as exc:
            raise forms.ValidationError(f"内容有误：{exc}") from None


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "imported_at")
    readonly_fields = ("year", "holidays", "workdays", "source", "imported_at")
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="workcalendar_calendaryear_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("workcalendar.add_calendaryear"):
            return HttpResponse(status=403)
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            schedule = form.cleaned_data["file"]
            changed = import_year(schedule, request.user, source_label=schedule.source)
            if changed:
                messages.success(
                    request,
                    _("%(year)s 年节假日安排已导入，待定的期限已重新计算。")
                    % {"year": schedule.year},
                )
            else:
                messages.info(
                    request,
                    _("%(year)s 年节假日安排与已导入的一致，未作改动。") % {"year": schedule.year},
                )
            return HttpResponseRedirect(reverse("admin:workcalendar_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入年度节假日安排",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workcalendar/calendaryear/import.html", context)

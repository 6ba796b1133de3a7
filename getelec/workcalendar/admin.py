"""Admin: list imported years and import a year's JSON schedule without a release."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from getelec.core.workdays import MAX_FILE_BYTES, CalendarDataError, YearSchedule, load_year_json
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.services import ReplacementNotConfirmed, import_year


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label="节假日安排文件（JSON）",
        help_text='{"year": 2027, "holidays": ["2027-01-01", …], "workdays": ["2027-…"]}',
    )

    confirm = forms.BooleanField(
        label="确认替换已生效的年度安排",
        required=False,
        help_text="该年已有安排（随平台发布或此前导入）且日期不同时，须勾选确认；"
        "未勾选时只显示影响（哪些到期日会变动），不作改动。",
    )

    def clean_file(self) -> YearSchedule:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大（上限{MAX_FILE_BYTES // 1000}KB）")
        try:
            return load_year_json(upload.read(), source=upload.name)
        except CalendarDataError as exc:
            raise forms.ValidationError(f"内容有误：{exc}") from None


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "imported_at")
    readonly_fields = ("year", "holidays", "workdays", "source", "imported_at")
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        # Deleting a year would change the calendar in force with no impact shown and no
        # deadline recomputed; a wrong year is corrected by importing the right one (confirmed).
        return False

    def get_urls(self) -> list[URLPattern]:
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
        replacement = None
        if request.method == "POST" and form.is_valid():
            schedule = form.cleaned_data["file"]
            try:
                result = import_year(
                    schedule,
                    request.user,
                    source_label=schedule.source,
                    confirm=form.cleaned_data["confirm"],
                )
            except ReplacementNotConfirmed as exc:
                replacement = exc.replacement
                form.add_error(
                    "confirm",
                    _(
                        "%(year)s 年已有生效的节假日安排（%(source)s），新文件的日期与之不同："
                        "替换后 %(apps)s 件在办申请的 %(dates)s 个到期日（含各环节到期日）会变动。"
                        "未作任何改动；核对后请重新选择文件并勾选确认。"
                    )
                    % {
                        "year": schedule.year,
                        "source": replacement.replaces or "—",
                        "apps": replacement.moved_objects,
                        "dates": len(replacement.moves),
                    },
                )
            else:
                if result.replacement is not None:
                    messages.warning(
                        request,
                        _(
                            "%(year)s 年节假日安排已替换，%(count)s 件申请的到期日已重新计算"
                            "（每个变动均有审计记录）。"
                        )
                        % {"year": schedule.year, "count": result.recomputed},
                    )
                elif result.changed:
                    messages.success(
                        request,
                        _("%(year)s 年节假日安排已导入，待定的期限已重新计算。")
                        % {"year": schedule.year},
                    )
                elif result.recomputed:
                    messages.info(
                        request,
                        _(
                            "%(year)s 年节假日安排与已生效的一致，未作改动；"
                            "%(count)s 件申请遗留的待定到期日已计算。"
                        )
                        % {"year": schedule.year, "count": result.recomputed},
                    )
                else:
                    messages.info(
                        request,
                        _("%(year)s 年节假日安排与已导入的一致，未作改动。")
                        % {"year": schedule.year},
                    )
                return HttpResponseRedirect(reverse("admin:workcalendar_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "replacement": replacement,
            "title": "导入年度节假日安排",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workcalendar/calendaryear/import.html", context)

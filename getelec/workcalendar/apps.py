from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _imported_years_changed(sender: Any, **kwargs: Any) -> None:
    # Any saved or deleted year (import, admin, shell) gets a new revision token, so every other
    # process reloads the calendar (see source.current_calendar).
    from getelec.workcalendar.source import bump_revision

    bump_revision()


class WorkCalendarConfig(AppConfig):
    name = "getelec.workcalendar"
    label = "workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from getelec.core.workdays import install_translation

        # The pure core's texts (the pending-year text) follow the active language.
        install_translation(gettext)
        year = self.get_model("CalendarYear")
        post_save.connect(_imported_years_changed, sender=year, dispatch_uid="calendar-revision")
        post_delete.connect(_imported_years_changed, sender=year, dispatch_uid="calendar-revision")

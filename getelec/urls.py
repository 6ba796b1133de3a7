from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language

from getelec.accounts.forms import AdminLoginForm
from getelec.api import api

admin.site.login_form = AdminLoginForm
admin.site.site_header = _("获得电力服务平台 · 管理")
admin.site.site_title = _("获得电力服务平台")


class FaviconView(RedirectView):
    """/favicon.ico (asked for by browsers on pages that do not link one, e.g. a PDF)."""

    permanent = True

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.ico")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("getelec.accounts.urls")),
    path("supervision/", include("getelec.supervision.urls")),
    path("quality/", include("getelec.outages.urls")),
    path("", include("getelec.connection.urls")),
]

handler404 = "getelec.webinput.page_not_found"

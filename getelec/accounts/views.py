"""Sign-in and sign-out pages (Django's auth views with role-aware landing pages)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.urls import reverse

from getelec.accounts.forms import LoginForm


def landing_url(user: object) -> str:
    """Where a role starts: applicants at their applications, staff at the queue."""
    if getattr(user, "is_company_staff", False):
        return reverse("queue")
    if getattr(user, "is_regulator", False):
        from getelec.accounts.powers import Power, powers_of

        powers = powers_of(user)
        if powers.has(Power.READ_APPLICATIONS):
            return reverse("regulator_list")
        if powers.has(Power.READ_FILINGS):  # a city energy authority
            return reverse("supervision:filings")
        return reverse("home")
    if getattr(user, "is_applicant", False):
        return reverse("my_applications")
    if getattr(user, "is_platform_admin", False):
        return reverse("admin:index")
    return reverse("home")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", code="locked"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anybody out."""

    next_page = "home"

"""Web pages of the connection service. Names are global (settings name "home")."""

from django.urls import path

from getelec.connection import views

urlpatterns = [
    path("", views.home, name="home"),
    path("progress/", views.public_progress, name="progress"),
    path("apply/", views.apply, name="apply"),
    path("apply/assess/", views.assess_preview, name="assess_preview"),
    path("apply/capacity/", views.capacity_suggest, name="capacity_suggest"),
    path("my/", views.my_applications, name="my_applications"),
    path("my/notifications/read/", views.notifications_read, name="notifications_read"),
    path("queue/", views.queue, name="queue"),
    path("regulator/", views.regulator, name="regulator_list"),
    path("applications/<str:number>/", views.detail, name="application_detail"),
    path("applications/<str:number>/<slug:name>/", views.action, name="application_action"),
]

"""Supply quality: grid registry, frequent-outage problem ledger, planned outages, repairs."""

from django.urls import path

from getelec.outages import views

app_name = "outages"
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger/<str:number>/", views.entry_detail, name="entry"),
    path("ledger/<str:number>/<str:action>/", views.entry_action, name="entry_action"),
    path("warnings/", views.warnings, name="warnings"),
    path("regulator/", views.regulator, name="regulator"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure.csv", views.disclosure_csv, name="disclosure_csv"),
    path("disclosure.xlsx", views.disclosure_xlsx, name="disclosure_xlsx"),
    path("lookup/", views.lookup, name="lookup"),
    path("my/", views.my_power, name="my_power"),
    path("planned/", views.planned, name="planned"),
    path("planned/<str:number>/cancel/", views.planned_cancel, name="planned_cancel"),
    path("repairs/", views.repairs, name="repairs"),
    path("repairs/<str:number>/", views.repair_detail, name="repair"),
    path("notices/", views.notices, name="notices"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

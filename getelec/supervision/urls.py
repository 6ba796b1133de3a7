"""Web pages of the regulator's desk, mounted at /supervision/."""

from django.urls import path

from getelec.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledger/<int:number>/", views.task_detail, name="task"),
    path("ledger/<int:number>/report/", views.file_report, name="file_report"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("filings/", views.filings, name="filings"),
    path("filings/new/<str:number>/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/edit/", views.filing_edit, name="filing_edit"),
    path("filings/<int:pk>/submit/", views.filing_submit, name="filing_submit"),
    path("batches/", views.batches, name="batches"),
    path("batches/preview/", views.batch_preview, name="batch_preview"),
    path("batches/submit/", views.batch_submit, name="batch_submit"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/export.xlsx", views.batch_export, name="batch_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/applications/", views.drill, name="drill"),
]

from django.urls import path

from reimbursement import views_finance as views

urlpatterns = [
    path("finance/", views.finance_home, name="finance_home"),
    path("finance/runs/<str:reference>/", views.payment_run_detail, name="payment_run_detail"),
    path("finance/runs/<str:reference>/export.csv", views.payment_run_csv, name="payment_run_csv"),
    path(
        "finance/runs/<str:reference>/export.xlsx", views.payment_run_xlsx, name="payment_run_xlsx"
    ),
    path("finance/runs/<str:reference>/export.pdf", views.payment_run_pdf, name="payment_run_pdf"),
    path("finance/ledger/<slug:slug>.csv", views.ledger_csv, name="ledger_csv"),
    path("claims/remittances/", views.my_remittances, name="my_remittances"),
    path(
        "claims/remittances/<str:reference>.pdf",
        views.my_remittance_pdf,
        name="my_remittance_pdf",
    ),
]

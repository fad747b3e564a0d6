from django.urls import include, path

urlpatterns = [
    path("", include("reimbursement.urls_claims")),
    path("", include("reimbursement.urls_finance")),
]

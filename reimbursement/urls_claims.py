from django.urls import path

from reimbursement import views_claims as views

urlpatterns = [
    path("claims/", views.my_claims, name="my_claims"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
]

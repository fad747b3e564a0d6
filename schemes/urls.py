from django.urls import path

from schemes import views

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/<slug:slug>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<slug:slug>/apply/<str:role>/", views.apply, name="scheme_apply"),
    path("schemes/<slug:slug>/mentors/", views.mentor_register, name="mentor_register"),
    path("schemes/<slug:slug>/mentor-profiles/", views.mentor_profiles, name="mentor_profiles"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
]

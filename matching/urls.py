from django.urls import path

from matching import views

urlpatterns = [
    path("mentorships/", views.my_mentoring, name="mentorships"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship_detail"),
    path("mentorships/<int:pk>/answer/", views.respond, name="mentorship_respond"),
    path(
        "mentorships/<int:pk>/ask-for-a-different-mentor/",
        views.ask_for_another_mentor,
        name="mentorship_rematch",
    ),
    path(
        "mentorships/<int:pk>/not-continuing/",
        views.not_continuing,
        name="mentorship_not_continuing",
    ),
    path("schemes/<slug:slug>/availability/", views.availability, name="availability"),
    path("schemes/<slug:slug>/choose-a-mentor/", views.shortlist, name="shortlist"),
]

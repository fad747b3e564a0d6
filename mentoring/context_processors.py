from django.conf import settings

from mentoring.roles import roles_of


def service(request):
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "user_roles": roles_of(user) if user is not None else set(),
    }

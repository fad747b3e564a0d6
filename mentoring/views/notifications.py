"""STUB — owned by the front-end helper."""

from django.http import HttpResponse


def notification_list(request):
    return HttpResponse("stub")

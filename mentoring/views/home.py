"""STUB — owned by the front-end helper."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("stub")


def my_details(request):
    return HttpResponse("stub")

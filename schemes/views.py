"""STUB — being written by the pages helper."""

from django.http import HttpResponse


def scheme_list(request):
    return HttpResponse("stub")


def scheme_detail(request, slug):
    return HttpResponse("stub")


def apply(request, slug, role):
    return HttpResponse("stub")


def mentor_register(request, slug):
    return HttpResponse("stub")


def mentor_profiles(request, slug):
    return HttpResponse("stub")


def application_detail(request, pk):
    return HttpResponse("stub")

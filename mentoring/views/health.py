"""STUB — owned by the infrastructure helper."""

from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "stub"})

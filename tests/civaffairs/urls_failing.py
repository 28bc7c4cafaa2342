"""A view that fails, mounted beside the project's URLs by urls_failing_tenant / urls_failing_public."""

from django.urls import path


def explode(request):
    raise RuntimeError("boom: postgresql://postgres:hunter2@db.internal/civaffairs")


FAILING = [path("explode/", explode), path("api/v1/explode/", explode)]

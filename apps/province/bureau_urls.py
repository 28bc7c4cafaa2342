"""Mounted on a bureau's host (civaffairs/urls_tenant.py) under /province/."""

from django.urls import path

from .bureau_views import duplicate_resolve_view

urlpatterns = [
    path("duplicates/<int:alert_id>/resolve/", duplicate_resolve_view, name="province-duplicate-resolve"),
]

"""The province site's pages on the public host (civaffairs/urls_public.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="province-home"),
    path("bureaus/<str:schema_name>/", views.bureau_detail, name="province-bureau"),
    path("export/<str:name>.xlsx", views.export, name="province-export"),
    path("refresh/", views.refresh, name="province-refresh"),
]

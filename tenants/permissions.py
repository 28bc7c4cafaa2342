from rest_framework.permissions import BasePermission

PROVINCE_OVERSEER_GROUP = "province_overseer"


def is_province_overseer(user) -> bool:
    return bool(
        user and user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=PROVINCE_OVERSEER_GROUP).exists())
    )


class IsProvinceOverseer(BasePermission):
    """Province pages are read-only and only for overseers of the public schema."""

    def has_permission(self, request, view):
        return request.method in ("GET", "HEAD", "OPTIONS") and is_province_overseer(request.user)

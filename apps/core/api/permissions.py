"""API permissions: django model permissions per HTTP method, reads included.

`ModelPermissions` maps GET/HEAD to `view_<model>`, POST to `add_`, PUT/PATCH to `change_`, DELETE to
`delete_` (DRF's own class lets any authenticated user read). A view may name other permissions for
an action: `action_permissions = {"approve": ["disbursement.approve_paymentrun"]}`.
"""

from django.db.models import QuerySet
from rest_framework.permissions import DjangoModelPermissions

# By view class, an empty queryset of the model its permissions are named after. DRF finds the model
# by building the view's whole queryset (selectors, scoping, annotations) on every request, which cost
# a persons page about 1 ms of CPU before the list built it again; a view's model is its class's.
_empty_querysets: dict[type, QuerySet] = {}


class ModelPermissions(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        action_permissions = getattr(view, "action_permissions", None) or {}
        action = getattr(view, "action", None)
        if action in action_permissions:
            if not request.user or not request.user.is_authenticated:
                return False
            required = action_permissions[action]
            if isinstance(required, dict):  # per method: {"POST": [...], "DELETE": [...]}
                required = required.get(request.method, [])
            return request.user.has_perms(required)
        return super().has_permission(request, view)

    def _queryset(self, view):
        empty = _empty_querysets.get(type(view))
        if empty is None:
            empty = _empty_querysets[type(view)] = super()._queryset(view).model._default_manager.none()
        return empty

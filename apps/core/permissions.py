"""The one permission check of the services, and the identity jobs act under.

Who may write is asked once, here, with one meaning everywhere:

- a user (a person logged in to the admin or the API) may do what their permissions allow;
- `SYSTEM` is the bureau itself acting through a job: a nightly step, a Celery task, a management
  command. It is always allowed, and a job says so explicitly by passing `user=SYSTEM`;
- `None` (and the anonymous user) is nobody: always refused. A forgotten `user=` argument is a
  refusal, never a silent "system".

What a service records as the actor (history_user, started_by, imported_by …) is
`recorded_user(user)`: the user, or None for SYSTEM, since a job is no row of the user table.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class SystemIdentity:
    """The bureau acting through a job. Not a user: it has no row, no pk, no town."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __bool__(self) -> bool:
        return True


SYSTEM = SystemIdentity()


def is_system(user) -> bool:
    return user is SYSTEM


def may(user, permission: str) -> bool:
    """Whether `user` holds `permission`: SYSTEM always, None and anonymous users never."""
    if user is SYSTEM:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm(permission)


def require_permission(user, permission: str, *, what: str = "", message: str = "") -> None:
    """Raise PermissionDenied unless `may(user, permission)`.

    The refusal says `message` when given, else "You may not <what>: that needs the permission …".
    """
    if may(user, permission):
        return
    if not message:
        message = _("You may not %(what)s: that needs the permission %(permission)s.") % {
            "what": what or permission, "permission": permission}
    raise PermissionDenied(message)


def recorded_user(user):
    """The user to store as the actor of a write: None for SYSTEM (and for nobody)."""
    return None if user is SYSTEM else user

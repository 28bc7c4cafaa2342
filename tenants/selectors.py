from django.db import connection
from django.db.models import QuerySet

from .models import Bureau


def bureau_list() -> QuerySet[Bureau]:
    return Bureau.objects.filter(kind=Bureau.Kind.BUREAU).prefetch_related("domains").order_by("schema_name")


def current_bureau() -> Bureau:
    """The bureau whose schema the connection is in (a request, a task or `schema_context`).

    Always read afresh: its rule settings price entitlements and payment lines, and a Bureau
    cached on the connection since the request began may predate an administrator's edit.
    """
    return Bureau.objects.get(schema_name=connection.schema_name)

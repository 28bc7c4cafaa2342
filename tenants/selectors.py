from django.db.models import QuerySet

from .models import Bureau


def bureau_list() -> QuerySet[Bureau]:
    return Bureau.objects.filter(kind=Bureau.Kind.BUREAU).prefetch_related("domains").order_by("schema_name")

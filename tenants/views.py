from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .permissions import is_province_overseer
from .selectors import bureau_list


@login_required
def province_home(request):
    if not is_province_overseer(request.user):
        raise PermissionDenied
    return render(request, "tenants/province_home.html", {"bureaus": bureau_list()})

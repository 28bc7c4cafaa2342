"""POST /api/v1/auth/token/ with django-axes' lock-out answered as 429 JSON.

DRF's `obtain_auth_token` authenticates through django-axes (it counts the failures and refuses a
locked username+address), but axes marks the lock-out on DRF's Request wrapper, which its middleware
never sees: a locked client would get the ordinary 400 "unable to log in". This view says so.
"""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class ObtainAuthTokenView(ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed logins for this user from this address; try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


obtain_auth_token = ObtainAuthTokenView.as_view()

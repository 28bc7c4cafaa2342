"""API tokens: issued by POST /api/v1/auth/token/, ended by POST /api/v1/auth/logout/, and short-lived.

A token lives `API_TOKEN_LIFETIME` (a fixed lifetime from issue, 8 hours by default: one working
day; idle time is not counted, so a stolen token is worth at most that long). It also dies when the
user logs out, changes password (`apps.core.passwords`), is deactivated, or is locked out by
django-axes (`apps.core.apps`): every one of these deletes the row, and a deleted row is a 401.

DRF's `obtain_auth_token` authenticates through django-axes (it counts the failures and refuses a
locked username+address), but axes marks the lock-out on DRF's Request wrapper, which its middleware
never sees: a locked client would get the ordinary 400 "unable to log in". This view says so.
"""

from django.contrib.auth import logout as session_logout
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.passwords import password_expired

from .authentication import token_expired


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
        user = serializer.validated_data["user"]
        if password_expired(user):
            return Response(
                {"detail": _("Your password has expired; change it in the admin before asking for a token.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class LogoutView(APIView):
    """Ends the caller's API token (DRF keeps one per user) and, when called with a session, the session."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


obtain_auth_token = ObtainAuthTokenView.as_view()
logout = LogoutView.as_view()

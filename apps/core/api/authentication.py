"""DRF authentication for bureau and province APIs: tokens with a fixed lifetime (see apps.core.api.auth).

Kept apart from the views: DRF imports its authentication classes while `rest_framework.views` loads.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token, *, now=None) -> bool:
    return token.created + settings.API_TOKEN_LIFETIME <= (now or timezone.now())


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("This token has expired; ask for a new one."))
        return user, token

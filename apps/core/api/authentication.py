"""DRF authentication for bureau and province APIs: tokens with a fixed lifetime (see apps.core.api.auth).

Kept apart from the views: DRF imports its authentication classes while `rest_framework.views` loads.
"""

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token, *, now=None) -> bool:
    return token.created + settings.API_TOKEN_LIFETIME <= (now or timezone.now())


@functools.cache
def _token_lookup() -> tuple[str, list[str]]:
    """The statement that reads a token with its user, and the user's attribute names in its columns."""
    user_model = get_user_model()
    fields = user_model._meta.concrete_fields
    # Rows become models without the ORM's converters: on PostgreSQL the user's columns need none.
    assert not any(hasattr(field, "from_db_value") for field in fields), "a user field needs a converter"
    q = connection.ops.quote_name
    sql = (f"SELECT token.{q('created')}, {', '.join(f'usr.{q(field.column)}' for field in fields)}"
           f" FROM {q(Token._meta.db_table)} token"
           f" JOIN {q(user_model._meta.db_table)} usr ON usr.{q(user_model._meta.pk.column)} = token.{q('user_id')}"
           f" WHERE token.{q('key')} = %s")
    return sql, [field.attname for field in fields]


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's select_related get, as one plain statement: every API request authenticates, and building
        # the ORM query cost 1.2 ms of CPU of a list request's 11 (this: 0.3 ms).
        sql, user_attnames = _token_lookup()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise AuthenticationFailed(_("Invalid token."))
        user = get_user_model().from_db(connection.alias, user_attnames, row[1:])
        token = Token.from_db(connection.alias, ["key", "user_id", "created"], [key, user.pk, row[0]])
        token.user = user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("This token has expired; ask for a new one."))
        return user, token

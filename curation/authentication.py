"""The API's authentication: `Authorization: Token <key>`, checked against the hashed keys of ApiToken.

It keeps DRF's TokenAuthentication for parsing the header and for the `WWW-Authenticate: Token`
challenge (and drf-spectacular documents it as the `tokenAuth` scheme), and replaces only the
lookup, so that clients see no change.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from curation.tokens import ApiToken, hash_key


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        token.touch()
        return token.user, token

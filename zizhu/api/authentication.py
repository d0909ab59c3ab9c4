"""How an API request says who it is: `Authorization: Bearer <personal token>`, or the browser
session (DRF's SessionAuthentication, which enforces Django's CSRF check on every write)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from zizhu.api.services import api_token_find, api_token_touch
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            value = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is invalid.")) from None
        token = api_token_find(value)
        if token is None:
            audit_record(
                request=request._request,
                action="api.token_refused",
                result=Result.FAILURE,
                detail={"path": request.path[:300]},
            )
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword

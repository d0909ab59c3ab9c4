"""账户安全 (/account/security/): every signed-in user's own page, listing the user's API
tokens; a token is made (shown once) and revoked here."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zizhu.api.models import ApiToken
from zizhu.api.services import DEFAULT_DAYS, api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100)
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=DEFAULT_DAYS
    )


def security(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "api/security.html",
        {"form": form, "tokens": tokens, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    api_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("account:security")


app_name = "account"
urlpatterns = [
    path("security/", security, name="security"),
    path("security/tokens/<int:pk>/revoke/", token_revoke, name="token_revoke"),
]

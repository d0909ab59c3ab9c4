from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("One-time password"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NewPasswordChangeForm(PasswordChangeForm):
    """The new password must differ from the current one: the initial password and a password
    an administrator set are temporary, and choosing them again would keep them."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error(
                "new_password2",
                forms.ValidationError(
                    _("The new password must differ from the current one."),
                    code="password_unchanged",
                ),
            )
        return cleaned

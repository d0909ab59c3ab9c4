from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zizhu.accounts.roles import Role


class User(AbstractUser):
    """A person with one role at one unit; the unit's subtree is the user's scope."""

    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        related_name="users",
        verbose_name=_("Unit"),
    )
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices)
    display_name = models.CharField(
        pgettext_lazy("person", "Name"),
        max_length=50,
        blank=True,
        help_text=_("The person's name as shown to other users, e.g. 张伟."),
    )
    must_change_password = models.BooleanField(_("Must change initial password"), default=True)
    password_changed_at = models.DateTimeField(_("Password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Users")
        verbose_name_plural = _("Users")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=False) | Q(role="sysadmin"),
                name="user_superuser_only_sysadmin",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name to show where a person appears; the login name only if none is set."""
        return self.display_name or self.username

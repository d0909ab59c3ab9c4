from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.audit.labels import action_label, object_label


class Result(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEvent(models.Model):
    """One append-only record. Updates are refused by the model and by a database trigger;
    rows younger than 180 days cannot be deleted (trigger on PostgreSQL). Each record's hash
    links it to the one before it, so a change made past the triggers shows (verify_audit)."""

    # set by audit_record under the chain's lock (not auto_now_add: the hash covers it)
    at = models.DateTimeField(_("Time (UTC)"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("Actor"),
    )
    actor_username = models.CharField(_("Username"), max_length=150, blank=True, db_index=True)
    unit_code = models.CharField(_("Unit code"), max_length=10, blank=True, db_index=True)
    action = models.CharField(_("Action"), max_length=60, db_index=True)
    object_type = models.CharField(_("Object type"), max_length=60, blank=True)
    object_id = models.CharField(_("Object"), max_length=64, blank=True)
    result = models.CharField(_("Result"), max_length=10, choices=Result.choices)
    ip = models.GenericIPAddressField(_("Client IP"), null=True, blank=True)
    detail = models.JSONField(_("Detail"), default=dict, blank=True)
    # the hash chain (zizhu/audit/chain.py, docs/adr/0021-audit-hash-chain.md)
    prev_hash = models.CharField(_("Previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("Hash"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("Audit record")
        verbose_name_plural = _("Audit record")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit records are removed only by the retention purge")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def object_label(self) -> str:
        return object_label(self.object_type)

    @property
    def detail_text(self) -> str:
        """The detail in words (zizhu.audit.details); a list of events reads theirs in bulk."""
        from zizhu.audit.details import detail_text  # it reads the other apps' models

        return detail_text(self)

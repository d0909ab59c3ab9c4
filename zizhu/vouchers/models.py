"""Payment vouchers (支付凭证): what a school paid out for a project in a year, with the files
that prove it. 财务支付总金额 is the sum of `Voucher.amount` (docs/domain.md, funds)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zizhu.funds.models import MONEY
from zizhu.lib.onetime import form_key_field


class Voucher(models.Model):
    """One payment a school records for a year and project; a school may record several.

    Database triggers add a school's vouchers into the per-authority report totals
    (zizhu/fundreports/rollups_sources.py, ADR 0008): renaming its table or a column it
    reads needs a migration freezing the triggers again (`manage.py rollups_freeze`).
    """

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("School")
    )
    year = models.PositiveSmallIntegerField(_("Year of use"))
    project = models.ForeignKey(
        "catalogue.AidProject",
        on_delete=models.PROTECT,
        related_name="vouchers",
        verbose_name=_("Aid project"),
    )
    students = models.PositiveIntegerField(_("Number of students aided"))
    amount = models.DecimalField(_("Amount paid"), **MONEY)
    note = models.CharField(_("Note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Uploaded by"),
    )
    created_at = models.DateTimeField(_("Uploaded at"), auto_now_add=True)
    # Optimistic concurrency, as on Filing: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    form_key = form_key_field()  # the upload form's one-time key (docs/adr/0009)

    class Meta:
        verbose_name = _("Payment voucher")
        verbose_name_plural = _("Payment vouchers")
        ordering = ["year", "project_id", "unit_id", "pk"]
        indexes = [models.Index(fields=["year", "project", "unit"], name="voucher_year_project")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="voucher_amount"),
            models.CheckConstraint(condition=Q(students__gt=0), name="voucher_students"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.project_id} {self.amount}"


def voucher_file_path(instance, filename: str) -> str:
    """The service names the file (zizhu.lib.uploads.random_storage_name); the original name is
    kept in `name` for downloads."""
    return f"vouchers/{filename}"


class VoucherFile(models.Model):
    """One attachment of a voucher (PDF, JPG, JPEG or PNG, checked by content)."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="files", verbose_name=_("Voucher")
    )
    file = models.FileField(_("File"), upload_to=voucher_file_path, max_length=200)
    name = models.CharField(_("File name"), max_length=200)
    content_type = models.CharField(_("File type"), max_length=100)
    size = models.PositiveIntegerField(_("Size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Voucher file")
        verbose_name_plural = _("Voucher files")
        ordering = ["voucher_id", "pk"]

    def __str__(self) -> str:
        return self.name

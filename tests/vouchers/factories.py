"""Aid projects and vouchers of the fixture tree."""

from decimal import Decimal

from zizhu.catalogue.models import AidProject, Category
from zizhu.vouchers.services import voucher_create

from .files import pdf, upload


def project(code: str, name: str, stage: str, category: str = Category.NATIONAL) -> AidProject:
    # get_or_create: transactional tests flush the catalogue the migration seeded
    found, _ = AidProject.objects.get_or_create(
        code=code, defaults={"name": name, "stage": stage, "category": category}
    )
    return found


def grant_project() -> AidProject:
    return project("vocational_national_grant", "中职国家助学金", "vocational")


def make_voucher(user, *, project=None, year=2025, students=3, amount="6900.00", files=None):
    """A voucher of `user`'s school, recorded through the service by `user`."""
    return voucher_create(
        school=user.unit,
        year=year,
        project=project or grant_project(),
        students=students,
        amount=Decimal(amount),
        files=files or [upload("凭证.pdf", pdf())],
        actor=user,
    )

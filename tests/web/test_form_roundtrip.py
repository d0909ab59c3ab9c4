"""Every form round-trips: for each edit form of the product (the system administrator's admin
change forms included), open a saved object's edit page, submit the form exactly as the browser
would send it unchanged (the fields and values parsed from the rendered HTML), and find every
stored field unchanged — dates, decimals, choices, files. A form that renders a value its own
field cannot read back (a date in the locale's format in a date input, a rounded decimal, a
choice missing from its list) fails here."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import FileField

from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from tests.funds.factories import PDF, upload
from tests.recipients.factories import make_list
from tests.vouchers.factories import make_voucher
from tests.web.html_forms import Form, forms_of
from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.services import local_project_create
from zizhu.fundreports.models import CostSharingTier, ProvinceSplit, ProvinceTier
from zizhu.funds.services import filing_create, filing_update

# bookkeeping a save may legitimately move: the optimistic-lock version, the save time, and
# a recipient list's import digest (any saved row edit clears it, so a re-import of the
# original file is not taken for "unchanged")
MOVING = {"version", "updated_at", "content_hash"}


def stored(obj) -> dict:
    """Every stored field of `obj` (files by name), read again from the database."""
    obj = type(obj).objects.get(pk=obj.pk)
    values = {}
    for field in obj._meta.concrete_fields:
        if field.attname in MOVING:
            continue
        value = getattr(obj, field.attname)
        values[field.attname] = value.name if isinstance(field, FileField) else value
    return values


def edit_form(html: str, marker: str) -> Form:
    """The page's form holding the field `marker`."""
    found = [f for f in forms_of(html) if marker in f.data or marker in f.files]
    assert len(found) == 1, [f.data for f in forms_of(html)]
    return found[0]


def authority_filing(tree, users):
    operator = users["county_operator"]
    filing = filing_create(
        unit=tree["610112"],
        year=YEAR,
        project=_project("vocational_national_grant", "中职国家助学金", "vocational"),
        actor=operator,
        own_funds=Decimal("1234.56"),
        doc_number="未财教〔2026〕3号",
        doc_date=date(2026, 3, 1),
        doc_title="关于下达资金的通知",
    )
    filing_update(filing=filing, version=1, actor=operator, document=upload(PDF))
    return operator, f"/funds/filings/{filing.pk}/", filing, "doc_date", []


def school_aid_filing(tree, users):
    operator = users["school_operator"]
    project = _project("school_aid", "学校资助", "any", category=Category.SCHOOL)
    filing = filing_create(unit=tree["3661000001"], year=YEAR, project=project, actor=operator)
    filing_update(
        filing=filing,
        version=1,
        actor=operator,
        received_funds=Decimal("1000.10"),
        received_arrival_date=date(2025, 2, 28),
        school_funds=Decimal("0.50"),
        other_funds=Decimal("0"),
    )
    return operator, f"/funds/filings/{filing.pk}/", filing, "received_arrival_date", []


def social_filing(tree, users):
    operator = users["school_operator"]
    project = _project("social_aid", "社会资助", "any", category=Category.SOCIAL)
    filing = filing_create(
        unit=tree["3661000001"],
        year=YEAR,
        project=project,
        actor=operator,
        social_funds=Decimal("88.80"),
    )
    return operator, f"/funds/filings/{filing.pk}/", filing, "social_funds", []


def voucher(tree, users):
    operator = users["school_operator"]
    made = make_voucher(operator, amount="6900.05", students=3)
    files = list(made.files.all())
    return operator, f"/funds/vouchers/{made.pk}/edit/", made, "amount", files


def recipient_row(tree, users):
    operator = users["school_operator"]
    recipient_list = make_list(tree["3661000001"], 1, 2, actor=operator)
    row = recipient_list.rows.order_by("pk").first()
    url = f"/recipients/{recipient_list.pk}/rows/{row.pk}/"
    return operator, url, row, "id_number", [recipient_list]


def local_project(tree, users):
    operator = users["province_operator"]
    project = local_project_create(
        province=tree["610000"],
        stage="vocational",
        actor=operator,
        name="中职学生交通补助",
        standard_amount=Decimal("800.50"),
        source="陕教〔2026〕1号（示例）",
        note="每生每年",
    )
    return operator, f"/funds/catalogue/local/{project.pk}/", project, "standard_amount", []


# the system administrator's change forms in the admin (the models it may edit)
def admin_unit(tree, users):
    unit = tree["3661000001"]
    return users["sysadmin"], f"/admin/units/unit/{unit.pk}/change/", unit, "code", []


def admin_user(tree, users):
    user = users["school_operator"]
    return users["sysadmin"], f"/admin/accounts/user/{user.pk}/change/", user, "username", []


def admin_project(tree, users):
    project = AidProject.objects.get(code="vocational_national_grant")
    url = f"/admin/catalogue/aidproject/{project.pk}/change/"
    return users["sysadmin"], url, project, "standard_amount", []


def admin_tier(tree, users):
    tier = CostSharingTier.objects.order_by("pk").first()
    url = f"/admin/fundreports/costsharingtier/{tier.pk}/change/"
    return users["sysadmin"], url, tier, "central_share", []


def admin_province_tier(tree, users):
    tier = ProvinceTier.objects.order_by("pk").first()
    url = f"/admin/fundreports/provincetier/{tier.pk}/change/"
    return users["sysadmin"], url, tier, "tier", []


def admin_province_split(tree, users):
    split = ProvinceSplit.objects.create(
        code="610000", prefecture_share=Decimal("30.00"), county_share=Decimal("20.50")
    )
    url = f"/admin/fundreports/provincesplit/{split.pk}/change/"
    return users["sysadmin"], url, split, "county_share", []


EDIT_FORMS = [
    authority_filing,
    school_aid_filing,
    social_filing,
    voucher,
    recipient_row,
    local_project,
    admin_unit,
    admin_user,
    admin_project,
    admin_tier,
    admin_province_tier,
    admin_province_split,
]


@pytest.mark.parametrize("build", EDIT_FORMS, ids=lambda b: b.__name__)
def test_an_unchanged_edit_form_keeps_every_stored_field(client, tree, users, build):
    user, url, obj, marker, related = build(tree, users)
    before = stored(obj)
    related_before = [stored(r) for r in related]
    login_as(client, user)
    page = client.get(url)
    assert page.status_code == 200
    form = edit_form(page.content.decode(), marker)
    action = form.attrs.get("action") or url
    response = client.post(action, form.post_data())
    assert response.status_code == 302, getattr(response, "context", {}) and [
        f.errors for f in response.context.get("form", []) or []
    ]
    assert stored(obj) == before
    assert [stored(r) for r in related] == related_before

"""Permission-matrix entries and objects of the voucher pages (merged into
tests/test_permission_matrix.py)."""

from tests.matrix_common import (  # noqa: F401 - the sets the entries below use
    ALL,
    AUTHORITY,
    BUSINESS,
    SCHOOL,
    SCHOOL_OPERATORS,
    SEES_OTHER,
    SEES_OWN,
    table,
)

from .factories import make_voucher

# 支付凭证上传 is the school's: both of its roles record, edit and delete its vouchers
OWN_SCHOOL_USERS = {"school_operator", "school_reviewer"}


def voucher_objects(users) -> dict[str, int]:
    """A voucher with one PDF at school 3661000001 (own) and at 3661000003 (other)."""
    made = {}
    for key, username in (("own", "school_operator"), ("other", "neighbour_school_operator")):
        voucher = make_voucher(users[username])
        made[f"{key}_voucher"] = voucher.pk
        made[f"{key}_voucher_file"] = voucher.files.get().pk
    return made


VOUCHER_MATRIX: dict[str, list] = {
    # 支付凭证上传: the school's own list, the upload, edit and delete (both school roles)
    "vouchers:list": [("/funds/vouchers/", table(SCHOOL))],
    "vouchers:upload": [
        ("/funds/vouchers/new/", table(SCHOOL)),
        # an empty form: the operator gets it back with errors, nothing is saved
        ("POST", "/funds/vouchers/new/", table(SCHOOL)),
    ],
    "vouchers:edit": [
        # the school's users (an empty POST: the form back with errors, nothing saved);
        # authority users in scope are not the school (403); business users outside the
        # scope never learn the voucher exists (404); administrators 403 first
        (
            "/funds/vouchers/{own_voucher}/edit/",
            table(OWN_SCHOOL_USERS, BUSINESS - SEES_OWN),
        ),
        (
            "POST",
            "/funds/vouchers/{own_voucher}/edit/",
            table(OWN_SCHOOL_USERS, BUSINESS - SEES_OWN),
        ),
        (
            "/funds/vouchers/{other_voucher}/edit/",
            table({"neighbour_school_operator"}, BUSINESS - SEES_OTHER),
        ),
        (
            "POST",
            "/funds/vouchers/{other_voucher}/edit/",
            table({"neighbour_school_operator"}, BUSINESS - SEES_OTHER),
        ),
        ("/funds/vouchers/999999/edit/", table(set(), BUSINESS)),
    ],
    "vouchers:delete": [
        # the school's users; authority users in scope are not the school (403); users
        # outside the scope never learn the voucher exists (404)
        (
            "POST",
            "/funds/vouchers/{own_voucher}/delete/",
            table(OWN_SCHOOL_USERS, BUSINESS - SEES_OWN, 302),
        ),
        (
            "POST",
            "/funds/vouchers/{other_voucher}/delete/",
            table({"neighbour_school_operator"}, BUSINESS - SEES_OTHER, 302),
        ),
        ("GET", "/funds/vouchers/{own_voucher}/delete/", dict.fromkeys(ALL, 405)),
    ],
    # 支付凭证查看: authorities; a unit outside the scope is a 404
    "fundreports:vouchers": [
        ("/funds/reports/vouchers/", table(AUTHORITY)),
        ("/funds/reports/vouchers/?unit=610111", table(SEES_OTHER & AUTHORITY, AUTHORITY)),
        ("/funds/reports/vouchers/?unit=3661000001", table(SEES_OWN & AUTHORITY, AUTHORITY)),
    ],
    "fundreports:vouchers_export": [
        ("/funds/reports/vouchers/export.xlsx", table(AUTHORITY)),
        ("/funds/reports/vouchers/export.xlsx?unit=610112", table(SEES_OWN & AUTHORITY, AUTHORITY)),
    ],
    # the download: everyone who sees the school
    "vouchers:file": [
        ("/funds/vouchers/files/{own_voucher_file}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/funds/vouchers/files/{other_voucher_file}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
        ("/funds/vouchers/files/999999/", table(set(), BUSINESS)),
    ],
}

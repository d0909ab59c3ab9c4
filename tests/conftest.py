"""A small fixture tree and named users.

    central 000000
    └── province 610000
        ├── prefecture 610100
        │   ├── county 610112 ── schools 3661000001 (A), 3661000002 (B)
        │   └── county 610111 ── school 3661000003 (C, the neighbour's)
        └── direct school of the province 4161000001 (higher)

Users (password PASSWORD unless said): each business role at a sample unit, the admin roles at
the province. `county_operator` sees 610112 and schools A, B; never C.
"""

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.access import is_admin
from zizhu.accounts.models import User
from zizhu.units.services import UnitRow, units_import

PASSWORD = "Kx7#pLm2qZ"

TREE = [
    UnitRow("610000", "陕西省", "province", "000000"),
    UnitRow("610100", "西安市", "prefecture", "610000"),
    UnitRow("610112", "未央区", "county", "610100"),
    UnitRow("610111", "灞桥区", "county", "610100"),
    UnitRow("3661000001", "未央职教中心", "school", "610112", stage="vocational"),
    UnitRow("3661000002", "未央第二职高", "school", "610112", stage="vocational"),
    UnitRow("3661000003", "灞桥职教中心", "school", "610111", stage="vocational"),
    UnitRow("4161000001", "陕西某学院", "school", "610000", stage="higher"),
]

# username → (role, unit code)
USERS = {
    "province_operator": ("operator", "610000"),
    "prefecture_operator": ("operator", "610100"),
    "county_operator": ("operator", "610112"),
    "county_supervisor": ("supervisor", "610112"),
    "county_leader": ("center_leader", "610112"),
    "neighbour_operator": ("operator", "610111"),
    "school_operator": ("school_operator", "3661000001"),
    "school_reviewer": ("school_reviewer", "3661000001"),
    "neighbour_school_operator": ("school_operator", "3661000003"),
    "sysadmin": ("sysadmin", "610000"),
    "secadmin": ("secadmin", "610000"),
    "auditor": ("auditor", "610000"),
}


# the browser tests' Chromium and page fixtures, one instance per test process
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the thread (LanguageMiddleware activates it and
    nothing deactivates it; the next request activates its own): a test that chose English
    must not leave the next test speaking English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path_factory):
    """Each test writes the analytics store and uploaded files in a folder of its own."""
    files = tmp_path_factory.mktemp("files")
    settings.ZIZHU_STORE = str(files / "store")
    settings.MEDIA_ROOT = files / "media"


@pytest.fixture
def tree(db):
    units_import(rows=[UnitRow(**vars(r)) for r in TREE])
    from zizhu.units.models import Unit

    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def users(tree):
    """All named users, ready to log in (no pending password change)."""
    created = {}
    for username, (role, code) in USERS.items():
        user = User(username=username, role=role, unit=tree[code], must_change_password=False)
        user.is_staff = role == "sysadmin"
        user.set_password(PASSWORD)
        user.save()
        created[username] = user
    return created


def login_as(client, user):
    """Log `user` in on the test client, passing the second factor for admin roles."""
    client.force_login(user)
    if is_admin(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login(client):
    return lambda user: login_as(client, user)

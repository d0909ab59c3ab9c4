"""The menu tree. Paths follow the national system's module paths (docs/domain.md, roles and
menus); a leaf is shown
when its `visible(user)` holds, a group when any of its leaves is. Breadcrumbs are the path from
the root to the leaf of the current page."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, can
from zizhu.catalogue import policy as catalogue_policy
from zizhu.catalogue.models import Category
from zizhu.fundreports.tree import authority_may
from zizhu.funds import policy as funds_policy
from zizhu.recipients import policy as recipients_policy
from zizhu.vouchers import policy as vouchers_policy


@dataclass
class MenuItem:
    label: str | Promise
    url_name: str = ""
    visible: Callable | None = None
    children: list["MenuItem"] = field(default_factory=list)
    # other url names (detail pages …) that belong under this leaf
    also: tuple[str, ...] = ()

    def url(self) -> str:
        if not self.url_name:
            return ""
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _address(self.url_name, get_script_prefix(), urlconf)


@cache
def _address(url_name: str, prefix: str, urlconf: str) -> str:
    """A menu page's address: the same for every request under one script prefix and URL
    configuration, so each request's menu does not resolve its two dozen names again."""
    return reverse(url_name, urlconf=urlconf)


def may(action: Action) -> Callable:
    return lambda user: can(user, action)


def files(category: str) -> Callable:
    """资助资金填报 of `category` (who files which category: zizhu.funds.policy)."""
    return lambda user: funds_policy.files_category(user, category)


MENU: list[MenuItem] = [
    MenuItem(_("Home"), "web:home", lambda user: True),
    MenuItem(
        _("Aid business management"),
        children=[
            MenuItem(
                _("Aid fund management"),
                children=[
                    # 资助资金填报 (zizhu.funds)
                    MenuItem(
                        pgettext_lazy("menu", "Funds filing"),
                        children=[
                            *(
                                MenuItem(label, f"funds:filing_{category}", files(category))
                                for category, label in (
                                    ("national", _("National aid")),
                                    ("local", _("Local aid")),
                                    ("school", _("School aid")),
                                    ("social", _("Social aid")),
                                )
                            ),
                            MenuItem(
                                _("Local aid projects"),
                                "catalogue:local_projects",
                                catalogue_policy.may_manage_local_projects,
                                also=("catalogue:local_project_edit",),
                            ),
                            MenuItem(
                                _("Filing deadlines"),
                                "funds:deadlines",
                                funds_policy.may_set_deadlines,
                                also=("funds:deadline_detail",),
                            ),
                        ],
                    ),
                    # 支付凭证上传 / 支付凭证查看 (zizhu.vouchers)
                    MenuItem(
                        _("Voucher upload"),
                        children=[
                            MenuItem(
                                _("National aid"),
                                "vouchers:list",
                                vouchers_policy.sees_own_vouchers,
                                also=("vouchers:upload", "vouchers:edit"),
                            )
                        ],
                    ),
                    MenuItem(
                        _("Voucher view"),
                        children=[
                            MenuItem(
                                _("National aid"),
                                "fundreports:vouchers",
                                vouchers_policy.sees_vouchers_below,
                            )
                        ],
                    ),
                    # 资金填报详情 / 资金填报进展 / 资金收支汇总 (zizhu.fundreports)
                    MenuItem(
                        _("Filing details"),
                        children=[
                            MenuItem(
                                label,
                                f"fundreports:details_{category}",
                                authority_may(Action.VIEW),
                                also=(f"fundreports:details_{category}_filing",),
                            )
                            for category, label in Category.choices
                        ],
                    ),
                    MenuItem(
                        _("Filing progress"),
                        children=[
                            MenuItem(
                                label,
                                f"fundreports:progress_{category}",
                                authority_may(Action.VIEW),
                            )
                            for category, label in Category.choices
                        ],
                    ),
                    MenuItem(
                        _("Income and expenditure summary"),
                        children=[
                            MenuItem(label, f"fundreports:summary_{category}", may(Action.VIEW))
                            for category, label in Category.choices
                        ],
                    ),
                    MenuItem(
                        _("National aid"),
                        children=[
                            MenuItem(
                                _("Secondary vocational national grant"),
                                children=[
                                    MenuItem(
                                        _("View findings"),
                                        "anomalies:national_grant",
                                        may(Action.VIEW),
                                        also=("anomalies:national_grant_finding",),
                                    )
                                ],
                            ),
                            MenuItem(
                                _("Secondary vocational tuition waiver"),
                                children=[
                                    MenuItem(
                                        _("View findings"),
                                        "anomalies:tuition_waiver",
                                        may(Action.VIEW),
                                        also=("anomalies:tuition_waiver_finding",),
                                    )
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            MenuItem(
                _("Unit information"),
                children=[
                    MenuItem(_("Units in scope"), "web:units", may(Action.VIEW), also=("web:unit",))
                ],
            ),
            MenuItem(
                _("Recipient lists"),
                children=[
                    MenuItem(
                        _("List management"),
                        "recipients:list",
                        may(Action.VIEW),
                        also=("recipients:detail", "recipients:row_add", "recipients:row_edit"),
                    ),
                    MenuItem(
                        _("Upload a list"),
                        "recipients:upload",
                        recipients_policy.may_upload,
                    ),
                ],
            ),
        ],
    ),
    MenuItem(
        _("System management"),
        children=[
            MenuItem(_("Users and units"), "admin:index", may(Action.MANAGE_USERS)),
            MenuItem(_("Security settings"), "web:security", may(Action.SECURITY)),
            MenuItem(_("Audit log"), "audit:list", may(Action.READ_AUDIT)),
            MenuItem(
                _("Registers"),
                "registers:list",
                may(Action.MANAGE_REGISTERS),
                also=("registers:upload", "registers:detail"),
            ),
            MenuItem(
                _("Anomaly check runs"),
                "anomalies:runs",
                may(Action.MANAGE_REGISTERS),
                also=("anomalies:run",),
            ),
            MenuItem(_("Background jobs"), "jobs:list", lambda user: True, also=("jobs:detail",)),
            MenuItem(_("Change password"), "accounts:password_change", lambda user: True),
        ],
    ),
    # 帮助: the user manual (docs/manual/), for every signed-in user
    MenuItem(_("Help"), "web:help", lambda user: True, also=("web:help_chapter",)),
]


def visible_menu(user, items: list[MenuItem] | None = None) -> list[MenuItem]:
    result = []
    for item in MENU if items is None else items:
        if item.children:
            children = visible_menu(user, item.children)
            if children:
                result.append(MenuItem(item.label, children=children))
        elif item.visible and item.visible(user):
            result.append(item)
    return result


def trail(view_name: str, items: list[MenuItem] | None = None) -> list[MenuItem]:
    """The menu items from the root down to the leaf for `view_name`, or []."""
    for item in MENU if items is None else items:
        if item.url_name == view_name or view_name in item.also:
            return [item]
        below = trail(view_name, item.children)
        if below:
            return [item, *below]
    return []


def menu_html(items: list[MenuItem], crumbs: list[MenuItem]) -> SafeString:
    """The sidebar's nested lists, the leaf of the current page marked: built here rather
    than by a template including itself per group, which cost more than the rest of a small
    page's shell. The current leaf is found by identity: the trail holds the menu's own
    items (comparing dataclasses would translate every lazy label on the way)."""
    current = {id(crumb) for crumb in crumbs}
    entries = []
    for item in items:
        if item.children:
            entry = format_html(
                '<li class="group"><details open><summary>{}</summary>{}</details></li>',
                item.label,
                menu_html(item.children, crumbs),
            )
        elif id(item) in current:
            entry = format_html(
                '<li><a href="{}" class="active" aria-current="page">{}</a></li>',
                item.url(),
                item.label,
            )
        else:
            entry = format_html('<li><a href="{}">{}</a></li>', item.url(), item.label)
        entries.append((entry,))
    return format_html("<ul>{}</ul>", format_html_join("", "{}", entries))


_SHOWN: dict[tuple, SafeString] = {}  # menu_html's answers, per shown menu (see shown_html)
_SHOWN_MAX = 4096


def _shape(items: list[MenuItem]) -> tuple:
    """The shown menu as nested tuples of its leaves' identities: a group is shown when one of
    its leaves is, and each leaf belongs to one group, so the leaves decide the rest."""
    return tuple(_shape(item.children) if item.children else id(item) for item in items)


def shown_html(items: list[MenuItem], crumbs: list[MenuItem]) -> SafeString:
    """menu_html(items, crumbs), built once per process for each shown menu, current leaf,
    language and URL prefix: the menu's leaves are this module's own items, their labels
    and addresses fixed for a language and URL configuration, so the same key always gives
    the same HTML (building it cost ~0.4 ms of every page)."""
    shape = _shape(items)
    leaves = set(_leaves(shape))
    current = tuple(sorted(id(crumb) for crumb in crumbs if id(crumb) in leaves))
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key = (get_language(), get_script_prefix(), urlconf, shape, current)
    html = _SHOWN.get(key)
    if html is None:
        html = menu_html(items, crumbs)
        if len(_SHOWN) < _SHOWN_MAX:
            _SHOWN[key] = html
    return html


def _leaves(shape: tuple):
    for entry in shape:
        if isinstance(entry, tuple):
            yield from _leaves(entry)
        else:
            yield entry

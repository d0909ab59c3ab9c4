"""The page shell's context: the user's menu, the breadcrumbs of the current page and the 帮助
link to the manual's section for it.

A page's breadcrumbs are the menu path to the leaf its URL name belongs to. A page that sits
below a leaf its URL does not name (a filing's page, under its category's filing list) says so
by setting `request.breadcrumb = (leaf URL name, its own label)` before rendering; the domains
need not import the menu for that. The 帮助 link uses the page's own URL name when the manual's
table (zizhu.web.manual.HELP_TOPICS) names it, otherwise its menu leaf's.
"""

from zizhu.web.manual import HELP_TOPICS, help_url
from zizhu.web.menu import MenuItem, shown_html, trail, visible_menu


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    under, label = getattr(request, "breadcrumb", (view_name, None))
    crumbs = trail(under) + ([MenuItem(label)] if label else [])
    leaf = next((item.url_name for item in reversed(crumbs) if item.url_name), under)
    menu = visible_menu(user)
    return {
        "menu": menu,
        "menu_html": shown_html(menu, crumbs),
        "breadcrumbs": crumbs,
        "help_url": help_url(user, view_name if view_name in HELP_TOPICS else leaf),
    }

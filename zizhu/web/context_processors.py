"""The page shell's context: the user's menu and the breadcrumbs of the current page.

A page's breadcrumbs are the menu path to the leaf its URL name belongs to. A page that sits
below a leaf its URL does not name (a filing's page, under its category's filing list) says so
by setting `request.breadcrumb = (leaf URL name, its own label)` before rendering; the domains
need not import the menu for that.
"""

from zizhu.web.menu import MenuItem, trail, visible_menu


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    under, label = getattr(request, "breadcrumb", (view_name, None))
    crumbs = trail(under) + ([MenuItem(label)] if label else [])
    return {
        "menu": visible_menu(user),
        "breadcrumbs": crumbs,
        "active_view": view_name,
        "active_labels": {str(item.label) for item in crumbs},
    }

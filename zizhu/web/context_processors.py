from zizhu.web.menu import trail, visible_menu


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    crumbs = trail(view_name)
    return {
        "menu": visible_menu(user),
        "breadcrumbs": crumbs,
        "active_view": view_name,
        "active_labels": {str(item.label) for item in crumbs},
    }

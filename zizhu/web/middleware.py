from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class LanguageMiddleware:
    """Chinese unless the user chose another language with the language menu (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show a
    Chinese aid office's English-language browser an English UI; the brief wants Chinese by
    default."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's other never-cache headers) on every response
    to a signed-in user and on every download: they can carry personal data, which neither
    the browser's cache nor a proxy may keep. Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a GET of a POST-only view with an empty 405: give it the Chinese page in
    the shell instead (keeping the Allow header). The API answers in its own JSON shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        from zizhu.web.errors import method_not_allowed

        page = method_not_allowed(request)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page

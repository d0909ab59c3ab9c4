"""Per-token rate limit: ZIZHU_API_RATE requests a minute for each token (or signed-in user);
more answer 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from zizhu.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return f"{settings.ZIZHU_API_RATE}/min"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        # the rate is read per request, so a changed setting (or a test's) takes effect at once
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

"""Sessions in the database, read through the shared cache (settings: SESSION_ENGINE when
ZIZHU_CACHE_URL names a Redis).

The database stays the record: every save and delete goes there first, as with Django's
`db` engine. A signed-in request reads its session from the cache instead of the session
table (one query less on every page; about 0.4 ms of the web process's CPU and a
PostgreSQL round trip, docs/adr/0020-monthly-run-plan.md, "Pages under load").

Unlike Django's `cached_db`, a cache that fails never fails a request: a read falls back
to the database, a failed write or delete is logged. A copy is kept for CACHE_SECONDS
only, so a copy a failed delete left behind (a sign-out while the cache was unreachable)
outlives the sign-out by at most that long once the cache is back; a password change or a
deactivated account still ends the session at once (the user row is read on every
request). Only a shared cache may hold sessions: a per-process cache would keep serving a
session another process has signed out (docs/operations.md).
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

KEY_PREFIX = "zizhu.session."
CACHE_SECONDS = 300

logger = logging.getLogger(__name__)


class SessionStore(DBStore):
    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    def _cache_key(self, session_key: str) -> str:
        return KEY_PREFIX + session_key

    def _cache_set(self, data: dict, expiry_age: int) -> None:
        try:
            self._cache.set(self._cache_key(self.session_key), data, min(expiry_age, CACHE_SECONDS))
        except Exception:
            logger.exception("the session could not be written to the cache")

    def load(self):
        data = None
        if self.session_key is not None:
            try:
                data = self._cache.get(self._cache_key(self.session_key))
            except Exception:
                logger.exception("the session could not be read from the cache")
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def save(self, must_create=False):
        super().save(must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        super().delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self._cache_key(session_key))
        except Exception:
            logger.exception("the session could not be deleted from the cache")

    @classmethod
    def clear_expired(cls):
        super().clear_expired()  # the cache drops its copies by itself

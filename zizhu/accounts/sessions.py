"""Sessions in the database, read through the shared cache (settings: SESSION_ENGINE when
ZIZHU_CACHE_URL names a Redis).

The database stays the record: every save and delete goes there first, as with Django's
`db` engine. A signed-in request reads its session from the cache instead of the session
table (one query less on every page; about 0.4 ms of the web process's CPU and a
PostgreSQL round trip, docs/adr/0020-monthly-run-plan.md, "Pages under load").

What the cache holds is never newer than the table, and a copy that may be older is not
left behind where it could matter:
- a new session (the key a sign-in gets) is not copied when it is created, only by the
  save that ends its request: if that copy cannot be written, there is none, and the next
  request reads the table (a copy of the session as it was before the sign-in would send a
  signed-in user back to the sign-in page);
- a save that cannot write its copy deletes the old one; an empty session is not copied;
- a deleted session (sign-out, a new key at sign-in) leaves a tombstone for CACHE_SECONDS
  instead of nothing, so a request that read the row just before the sign-out cannot put
  its copy back (`add`, not `set`, fills the cache after a read).
A cache that fails never fails a request: reads fall back to the table, failures are
logged. Copies live CACHE_SECONDS at most (so clear_expired, the db engine's, has nothing to
drop from the cache), which bounds what a failure leaves behind (a sign-out while the cache
was unreachable); a password change or a deactivated account still
ends the session at once (the user row is read on every request). Only a shared cache may
hold sessions: a per-process cache would keep serving a session another process has signed
out (docs/operations.md).
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

KEY_PREFIX = "zizhu.session."
CACHE_SECONDS = 300
GONE = "gone"  # the tombstone of a deleted session

logger = logging.getLogger(__name__)


class SessionStore(DBStore):
    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    def _cache_key(self, session_key: str) -> str:
        return KEY_PREFIX + session_key

    def _copy(self, data: dict, expiry_age: int, *, fill: bool = False) -> None:
        """Write the copy of the current session (`fill`: only where there is none)."""
        key = self._cache_key(self.session_key)
        timeout = min(expiry_age, CACHE_SECONDS)
        try:
            if fill:
                self._cache.add(key, data, timeout)
            else:
                self._cache.set(key, data, timeout)
            return
        except Exception:
            logger.exception("the session could not be written to the cache")
        if not fill:  # the old copy, if any, must not outlive this save
            try:
                self._cache.delete(key)
            except Exception:
                logger.exception("the session's old copy could not be deleted from the cache")

    def load(self):
        data = None
        if self.session_key is not None:
            try:
                data = self._cache.get(self._cache_key(self.session_key))
            except Exception:
                logger.exception("the session could not be read from the cache")
        if data == GONE:
            self._session_key = None
            return {}
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        if data:
            self._copy(data, self.get_expiry_age(expiry=row.expire_date), fill=True)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        if must_create:
            return  # a new key: copied by the save that ends the request (see above)
        if self._session:
            self._copy(self._session, self.get_expiry_age())
        else:
            self._drop(self.session_key)

    def _drop(self, session_key: str, value=None) -> None:
        try:
            if value is None:
                self._cache.delete(self._cache_key(session_key))
            else:
                self._cache.set(self._cache_key(session_key), value, CACHE_SECONDS)
        except Exception:
            logger.exception("the session could not be dropped from the cache")

    def delete(self, session_key=None):
        super().delete(session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            self._drop(session_key, GONE)

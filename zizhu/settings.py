"""Settings, all read from the environment (see README "Configuration").

ZIZHU_ENV=production switches to production rules: PostgreSQL only, a strong secret key,
secure cookies and headers. Everything else defaults to the embedded setup: a SQLite file,
an in-process job queue on SQLite and the analytics store in a local folder.
"""

import base64
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import redis
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from zizhu.lib.env import env_bool, env_int, env_list, env_str, is_weak_secret
from zizhu.lib.sealing import SealError, parse_keyring

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = env_str("ZIZHU_ENV", "development") == "production"
DATA_DIR = Path(env_str("ZIZHU_DATA_DIR", str(BASE_DIR / "var")))


def _dev_secret(name: str) -> str:
    """A random secret kept in the data folder, so development sessions survive restarts."""
    path = DATA_DIR / name
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _secret(env_name: str, file_name: str) -> str:
    value = env_str(env_name, "")
    if PRODUCTION:
        if not value or is_weak_secret(value):
            raise ImproperlyConfigured(
                f"{env_name} must be set to a strong random value (50+ characters) in production"
            )
        return value
    return value or _dev_secret(file_name)


SECRET_KEY = _secret("ZIZHU_SECRET_KEY", "secret_key")
# Key of the HMAC that replaces ID numbers and phones in the analytics store.
ZIZHU_HASH_KEY = _secret("ZIZHU_HASH_KEY", "hash_key")


def _data_keys() -> str:
    """The keyring sealing ID, phone and card numbers at rest (zizhu.lib.sealing): the
    first key seals, all open. Development derives one key from a random file in `var/`."""
    value = env_str("ZIZHU_DATA_KEYS", "")
    if not value:
        if PRODUCTION:
            raise ImproperlyConfigured("ZIZHU_DATA_KEYS must be set in production (id:base64key)")
        derived = hashlib.sha256(_dev_secret("data_key").encode("utf-8")).digest()
        value = "dev:" + base64.b64encode(derived).decode("ascii")
    try:
        parse_keyring(value)
    except SealError as exc:
        raise ImproperlyConfigured(f"ZIZHU_DATA_KEYS: {exc}") from exc
    return value


ZIZHU_DATA_KEYS = _data_keys()

# Off unless asked for, also in the embedded setup: debug mode keeps every SQL query in memory,
# which makes a 100,000-row import several times slower.
DEBUG = env_bool("ZIZHU_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("ZIZHU_DEBUG must be off in production")
ALLOWED_HOSTS = env_list(
    "ZIZHU_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ZIZHU_ALLOWED_HOSTS must list the site's host names")
CSRF_TRUSTED_ORIGINS = env_list("ZIZHU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "zizhu.web.admin_site.ZizhuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "zizhu.units",
    "zizhu.catalogue",
    "zizhu.recipients",
    "zizhu.accounts",
    "zizhu.audit",
    "zizhu.jobs",
    "zizhu.web",
    "zizhu.anomalies",
    "zizhu.registers",
    "zizhu.funds",
    "zizhu.vouchers",
    "zizhu.fundreports",
    "zizhu.api",
    "zizhu.ops",
]
# The tools are not the product: the demo loader (with `serve`, the embedded setup) and the
# synthetic-data generator. Nothing in the product imports them (tests/test_layering.py);
# production leaves them out unless ZIZHU_TOOLS=1 asks for them.
ZIZHU_TOOLS = env_bool("ZIZHU_TOOLS", default=not PRODUCTION)
if ZIZHU_TOOLS:
    INSTALLED_APPS += ["zizhu.demo", "zizhu.synth"]

MIDDLEWARE = [
    "zizhu.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zizhu.web.middleware.LanguageMiddleware",
    "zizhu.web.request_guard.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "zizhu.web.middleware.MethodNotAllowedPageMiddleware",
    "zizhu.web.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zizhu.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zizhu.urls"
WSGI_APPLICATION = "zizhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # overrides of Django admin templates (the admin's shell gets the 帮助 link)
        "DIRS": [BASE_DIR / "zizhu" / "web" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zizhu.web.context_processors.shell",
            ],
            "builtins": ["zizhu.web.templatetags.zizhu_format"],
        },
    },
]
# Django's form renderer, plain selects written in Python (zizhu.web.forms)
FORM_RENDERER = "zizhu.web.forms.FormRenderer"

# --- database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    # persistent connections, checked before each request reuses one: after a database
    # restart the next request reconnects instead of failing (docs/operations.md)
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Planner settings for reports on SSD storage, per connection so they hold whatever
        # the server's postgresql.conf says (docs/operations.md): index probes cost little
        # more than sequential reads, and JIT compilation costs reports more than it saves.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = env_str("ZIZHU_PG_OPTIONS", "-c random_page_cost=1.1 -c jit=off")
        # psycopg prepares no statement unless this is set (Django leaves it unset). Only the
        # compiled queries ask for it (zizhu.lib.compiled); Django's own cursors bind values
        # on the client and never prepare. A pooler must keep a client's server connection
        # (PgBouncer's session mode, docs/operations.md).
        options["prepare_threshold"] = 5
else:
    if PRODUCTION:
        raise ImproperlyConfigured("production needs DATABASE_URL (PostgreSQL); SQLite is refused")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "zizhu.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production runs on PostgreSQL only")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts, passwords, sessions ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, the user read with its unit (zizhu.accounts.backends)
    "zizhu.accounts.backends.UnitModelBackend",
]
# Argon2id first; PBKDF2 after it so a hash stored before still verifies and is re-hashed
# with Argon2 at its next successful login (zizhu.accounts.passwords, docs/adr/0020).
PASSWORD_HASHERS = [
    "zizhu.accounts.passwords.ZizhuArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ZIZHU_PASSWORD_MIN_LENGTH = env_int("ZIZHU_PASSWORD_MIN_LENGTH", 8, minimum=8)
ZIZHU_PASSWORD_MIN_CLASSES = env_int("ZIZHU_PASSWORD_MIN_CLASSES", 3, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ZIZHU_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "zizhu.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zizhu.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
ZIZHU_IDLE_TIMEOUT = timedelta(minutes=env_int("ZIZHU_IDLE_TIMEOUT_MINUTES", 30, minimum=1))
ZIZHU_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("ZIZHU_ABSOLUTE_TIMEOUT_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(ZIZHU_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout per username: failures from one shared office IP never lock out other users.
AXES_FAILURE_LIMIT = env_int("ZIZHU_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ZIZHU_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by IP as well would let one user's typos lock a whole office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zizhu.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("ZIZHU_PROXY_COUNT", 0, minimum=0) or None
ZIZHU_PROXY_COUNT = env_int("ZIZHU_PROXY_COUNT", 0, minimum=0)

OTP_TOTP_ISSUER = "Zizhu"

# --- audit ----------------------------------------------------------------------------------
ZIZHU_AUDIT_RETENTION_DAYS = env_int("ZIZHU_AUDIT_RETENTION_DAYS", 185, minimum=180)

# --- jobs -----------------------------------------------------------------------------------
# "sqlite" (embedded default), "immediate" (run inline; tests) or a redis:// URL (production).
ZIZHU_JOB_QUEUE = env_str("ZIZHU_JOB_QUEUE", "sqlite")
if PRODUCTION and not ZIZHU_JOB_QUEUE.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("production needs ZIZHU_JOB_QUEUE=redis://…")
if ZIZHU_JOB_QUEUE.startswith(("redis://", "rediss://")):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("ZIZHU_JOB_QUEUE_NAME", "zizhu"),
        # an unreachable Redis fails a request in seconds instead of hanging it
        "connection_pool": redis.ConnectionPool.from_url(ZIZHU_JOB_QUEUE, socket_connect_timeout=5),
        "immediate": False,
        "consumer": {
            "workers": env_int("ZIZHU_JOB_WORKERS", 2, minimum=1),
            "worker_type": "thread",
        },
    }
elif ZIZHU_JOB_QUEUE == "immediate":
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "zizhu", "immediate": True}
elif ZIZHU_JOB_QUEUE == "sqlite":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zizhu",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    raise ImproperlyConfigured(
        f"ZIZHU_JOB_QUEUE={ZIZHU_JOB_QUEUE!r}: use sqlite, immediate or redis://"
    )

# A running job's worker refreshes its heartbeat every ZIZHU_JOB_HEARTBEAT_SECONDS; a running
# job without one for ZIZHU_JOB_STALE_SECONDS is failed as abandoned (its worker died).
ZIZHU_JOB_HEARTBEAT_SECONDS = env_int("ZIZHU_JOB_HEARTBEAT_SECONDS", 10, minimum=0)
ZIZHU_JOB_STALE_SECONDS = env_int(
    "ZIZHU_JOB_STALE_SECONDS", max(60, 3 * ZIZHU_JOB_HEARTBEAT_SECONDS), minimum=1
)

# --- analytics store ------------------------------------------------------------------------
ZIZHU_STORE = env_str("ZIZHU_STORE", str(DATA_DIR / "store"))
# Engine of the scheduled monthly check run: duckdb (embedded) or spark (national scale).
ZIZHU_ANOMALY_ENGINE = env_str("ZIZHU_ANOMALY_ENGINE", "duckdb")
if ZIZHU_ANOMALY_ENGINE not in ("duckdb", "spark"):
    raise ImproperlyConfigured("ZIZHU_ANOMALY_ENGINE must be duckdb or spark")
# Master of the Spark session a run starts when no session is active (spark://…, yarn, k8s://…).
ZIZHU_SPARK_MASTER = env_str("ZIZHU_SPARK_MASTER", "local[2]")
MEDIA_ROOT = Path(env_str("ZIZHU_MEDIA_ROOT", str(DATA_DIR / "media")))

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# the project's catalogue, then the Chinese of Django's own admin strings its catalogue lacks
LOCALE_PATHS = [BASE_DIR / "zizhu" / "locale", BASE_DIR / "zizhu" / "locale_django"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "zizhu.ops.storage.MediaStorage"},  # no partial file on a full disk
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- request limits (zizhu.web.request_guard answers 413 / 400 before any view runs) ---------
ZIZHU_REQUEST_MAX_BYTES = env_int("ZIZHU_REQUEST_MAX_MB", 64, minimum=1) * 1024**2
# Larger bodies where a page takes them: the register snapshot upload (2 GB files).
ZIZHU_REQUEST_LIMITS = [("/registers/upload/", 2 * 1024**3 + 16 * 1024**2)]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 50
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2  # the fields of a form, files not counted

# --- security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts, styles, images and requests
# only from this site; no inline script, event handler or style attribute (the pages keep their
# behaviour in static files and pass chart data with json_script, which is not executed);
# JavaScript may still set element.style (ECharts sizes its canvases that way). data: images
# for the favicon placeholder and ECharts' "save as image". Nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ZIZHU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("ZIZHU_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("ZIZHU_HSTS_PRELOAD", True)
    if ZIZHU_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API (zizhu.api, docs/api.md) -----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zizhu.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["zizhu.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "zizhu.api.schema.ZizhuAutoSchema",
    "EXCEPTION_HANDLER": "zizhu.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zizhu 资助 API",
    "DESCRIPTION": "学生资助管理信息系统的 REST 接口：与页面相同的权限与业务规则。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"JobStatusEnum": "zizhu.jobs.models.Status.choices"},
}
# Requests per minute one API token (or one signed-in user) may make; more answer 429.
ZIZHU_API_RATE = env_int("ZIZHU_API_RATE", 600, minimum=1)
# Longest life of a personal API token, in days.
ZIZHU_API_TOKEN_MAX_DAYS = env_int("ZIZHU_API_TOKEN_MAX_DAYS", 365, minimum=1)
# A shared cache (redis://…) makes the API rate limit hold across web processes; without it
# each process counts its own requests. With it, a signed-in request reads its session from
# the cache instead of the session table (zizhu.accounts.sessions; the table stays the
# record). Without it sessions are read from the table: a per-process cache would keep
# serving a session another process has signed out.
_CACHE_URL = env_str("ZIZHU_CACHE_URL", "")
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            # an unreachable Redis costs a request at most a second, not a hang
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "zizhu.accounts.sessions"

# --- operations: probes, metrics, logs (docs/operations.md, "Monitoring") --------------------
# /metrics answers only direct requests (no X-Forwarded-For) from these networks, and with
# ZIZHU_METRICS_TOKEN set only those carrying "Authorization: Bearer <token>".
ZIZHU_METRICS_ALLOWED_NETWORKS = env_list(
    "ZIZHU_METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"]
)
ZIZHU_METRICS_TOKEN = env_str("ZIZHU_METRICS_TOKEN", "")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes speak plain HTTP

# ZIZHU_LOG_FORMAT=json writes one JSON object per line; ZIZHU_ACCESS_LOG=1 logs each request.
_LOG_FORMAT = env_str("ZIZHU_LOG_FORMAT", "text")
if _LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("ZIZHU_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
        "json": {"()": "zizhu.ops.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("ZIZHU_LOG_LEVEL", "WARNING")},
    "loggers": {
        # configured here, so run_huey adds no handler of its own: each line printed once
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "zizhu.jobs.supervisor": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "zizhu.access": {
            "handlers": ["console"],
            "level": "INFO" if env_bool("ZIZHU_ACCESS_LOG", False) else "WARNING",
            "propagate": False,
        },
    },
}

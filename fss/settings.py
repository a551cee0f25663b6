"""FSS settings: one module, every value read from the environment (django-environ).

Every variable is documented in `.env.example`. Defaults are safe for the demo on
a bare machine (SQLite, Celery tasks in-process); with DEBUG off the app refuses
to start on the demo secret key or the demo field-encryption key.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from fss.core.fields import parse_field_encryption_keys

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Demo-only keys. They are public (they are in this file), so production must
# never run on them: see the refusal below.
DEMO_SECRET_KEY = "demo-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
DEMO_FIELD_ENCRYPTION_KEY = "demo-only-insecure-field-encryption-key"

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
# Keys for the special category fields encrypted at rest (fss/core/fields.py), independent of
# SECRET_KEY: comma-separated, the first encrypts and all are tried to decrypt, so keys can be
# rotated (docs/operations.md, "Keys"). Kept as the comma-separated text the environment gives.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=DEMO_FIELD_ENCRYPTION_KEY)

if not DEBUG:
    if SECRET_KEY == DEMO_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is the public demo key. Set SECRET_KEY in the environment "
            "(see .env.example) or run with DEBUG=true for the demo."
        )
    if DEMO_FIELD_ENCRYPTION_KEY in [key.strip() for key in FIELD_ENCRYPTION_KEY.split(",")]:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is the public demo key (or lists it). Set FIELD_ENCRYPTION_KEY in "
            "the environment (see .env.example) or run with DEBUG=true for the demo."
        )
# A malformed key stops every process here, with the reason, not at the first read of a field.
parse_field_encryption_keys(FIELD_ENCRYPTION_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Organisation (the data controller); the privacy notice is filled from these.
ORGANISATION = {
    "controller_name": env.str("ORG_CONTROLLER_NAME", default="Buckinghamshire Council"),
    "service_name": env.str("ORG_SERVICE_NAME", default="Family Support Service"),
    "dpo_email": env.str("ORG_DPO_EMAIL", default="dataprotection@buckinghamshire.gov.uk"),
    "foi_email": env.str("ORG_FOI_EMAIL", default="access2information@buckinghamshire.gov.uk"),
    "address": env.list(
        "ORG_ADDRESS",
        default=[
            "Buckinghamshire Council",
            "Walton Street Offices",
            "Walton Street",
            "Aylesbury",
            "Buckinghamshire",
            "HP20 1UA",
        ],
    ),
    "ico_url": env.str("ORG_ICO_URL", default="https://ico.org.uk/make-a-complaint/"),
}

# --- Applications
INSTALLED_APPS = [
    "fss.core.admin_site.FSSAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "simple_history",
    # Two-factor authentication (TOTP apps and recovery codes) and sign-in lockout (SPEC §9).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "fss.core",
    "fss.core.security",
    "cases",
    "consent",
    "sharing",
    "retention",
    "sar",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Permissions-Policy, and Cache-Control: no-store on every page Django renders.
    "fss.core.security.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Permissions and roles read once per request, in one query (SPEC §11).
    "fss.core.permission_cache.PermissionCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every view needs a signed-in user unless marked
    # @login_not_required (SPEC §9).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ... and, when MFA_REQUIRED, a second factor given this session.
    "fss.core.security.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts (after messages: it says why you were signed out).
    "fss.core.security.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records who made each change on models with history (SPEC §3).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fss.urls"
WSGI_APPLICATION = "fss.wsgi.application"
ASGI_APPLICATION = "fss.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fss.core.context_processors.service",
                "fss.core.security.context_processors.session_timeout",
            ],
        },
    },
]

# GOV.UK Design System form markup (crispy-forms-gds).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- Database: SQLite is the embedded default; PostgreSQL (psycopg 3) in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT: it compiles every plan estimated above jit_above_cost, and the visibility
    # subqueries are estimated high (0.57 s of compiling for a 7 ms query on My work at
    # 100,000 families: docs/performance.md, "My work").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and authentication
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while locked out (django-axes); authenticates no one itself.
    "fss.core.security.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object-level grants on families (team, allocation, break-glass).
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user; nothing is public but a few pages
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sessions and cookies
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # so a user's sessions can be ended (admin action)
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_TIMEOUT_MINUTES = env.int("SESSION_ABSOLUTE_TIMEOUT_MINUTES", default=12 * 60)
# Seconds before the idle timeout that the page warns, with a "stay signed in" button.
SESSION_TIMEOUT_WARNING_SECONDS = env.int("SESSION_TIMEOUT_WARNING_SECONDS", default=120)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# The idle clock (fss_last_seen in the session) restarts with each request, but the session row is
# written at most once per SESSION_ACTIVITY_WRITE_SECONDS, so most pages cost no UPDATE.
SESSION_ACTIVITY_WRITE_SECONDS = env.int("SESSION_ACTIVITY_WRITE_SECONDS", default=30)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True

# --- Security headers (SPEC §9)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come from inside the deployment over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies sit in front of the app: the client address is taken
# that many hops from the right of X-Forwarded-For, so it cannot be spoofed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features FSS never uses, switched off for every page (fss.core.security.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Two-factor authentication (django-otp; SPEC §9)
# Every staff account must set up an authenticator app and give a code at each sign-in.
# On unless DEBUG (the demo); tests turn it on where they are about it.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=not DEBUG)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default=ORGANISATION["service_name"])
# Secrets are never shown in the admin (devices are not registered there anyway).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Lockout after repeated failed sign-ins (django-axes; SPEC §9)
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOCKOUT_MINUTES", default=30))
# Username and address together: one person's typos cannot lock out a whole office behind a
# shared address, and guesses from elsewhere cannot lock an owner out at their desk.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address the access log records: TRUSTED_PROXY_COUNT hops from the right of
# X-Forwarded-For, so a forged header cannot dodge the count.
AXES_CLIENT_IP_CALLABLE = "fss.core.security.lockout.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "fss.core.security.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed sign-ins stay on record after an unlock
AXES_ENABLE_ADMIN = False  # read-only registers instead (fss/core/admin.py)
# Never written to logs or stored with an attempt in clear.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

CSRF_FAILURE_VIEW = "fss.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# --- Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (GOV.UK Frontend installed from npm by scripts/bootstrap) and uploads
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Uploaded documents larger than this are refused with a clear message (bytes; 10 MB).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Celery (Redis broker in production; in-process when no broker is configured)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None  # tasks record their own results in the database
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Reliability: a task is acknowledged only when it finishes, so a crashed
# worker's task is redelivered; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Must exceed the longest task so Redis does not redeliver a running task.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Long, heavy work (sweeps, compilations, returns) stays off the queue that
    # serves interactive requests' follow-up tasks.
    "retention.tasks.*": {"queue": "scheduled"},
    "sar.tasks.*": {"queue": "heavy"},
    "sharing.tasks.*": {"queue": "heavy"},
    "fss.core.tasks.*": {"queue": "default"},
}

# --- Logging: structured (one JSON object a line), and never personal data.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "fss.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Request errors would otherwise log the full request, which may carry
        # personal data in form fields.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # django-axes: failed sign-ins and lockouts (usernames and addresses masked), not its chatter.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Retention (SPEC §7)
# A sweep that finds more families due than this aborts and alerts instead: a bad policy
# edit or a wrong clock must not wipe the service.
RETENTION_MAX_FAMILIES_PER_RUN = env.int("RETENTION_MAX_FAMILIES_PER_RUN", default=500)
# Days until backups taken before a destruction have aged out (recorded in the register).
RETENTION_BACKUP_EXPIRY_DAYS = env.int("RETENTION_BACKUP_EXPIRY_DAYS", default=35)
# Families destroyed together in one transaction (one set of DELETEs per table); a batch that
# fails is rolled back whole and its families are then tried one at a time.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=100)

# --- External data imports (SPEC §4.5): files with more rows are previewed and committed by the worker.
IMPORT_WORKER_THRESHOLD_ROWS = env.int("IMPORT_WORKER_THRESHOLD_ROWS", default=500)

# --- The public complaint form (SPEC §8.4): complaints accepted per address per hour.
PUBLIC_COMPLAINTS_PER_HOUR = env.int("PUBLIC_COMPLAINTS_PER_HOUR", default=5)

# --- Demo data
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="fss-demo-password")

"""Settings, all from the environment, with safe defaults for the embedded mode.

With nothing set: SQLite in ``var/``, Celery tasks run eagerly in-process, e-mail to the console,
DEBUG off, served on localhost over plain HTTP. Production sets ``DATABASE_URL``, ``REDIS_URL``,
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``HTTPS=true`` (which turns on every transport-security
setting that ``manage.py check --deploy`` asks for).
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from mentoring.beat import JOBS, beat_schedule, setting_name

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
HTTPS = env.bool("HTTPS", default=False)


def _secret_key() -> str:
    """Production must set SECRET_KEY; the embedded mode keeps a random one in var/, never in git."""
    if "SECRET_KEY" in env.ENVIRON:
        return env("SECRET_KEY")
    if HTTPS:
        raise ImproperlyConfigured("SECRET_KEY must be set when HTTPS=true (production).")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "mentoring.admin_site.MentoringAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "csp",
    "mentoring",
    "schemes",
    "matching",
    "sessions_log",
    "reimbursement",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so even a response made before the views (a 400 for a bad Host) carries the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff (and anyone who turned it on) must enter a code before any page (issue 10).
    "mentoring.two_factor_middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, so the "you were signed out because…" message can be left for the login page.
    "mentoring.session_limits.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The audit trail (issue 10): auditlog's actor and address for changes, with the address
    # read as the access audit reads it; then a row for every refused request.
    "mentoring.audit_middleware.AuditlogMiddleware",
    "mentoring.audit_middleware.RefusedAccessMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses any login attempt while the account or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Two-factor authentication (issue 10): approving or exporting a payment run and granting a role
# ask for the password and a code again when the last code is older than this (ASVS 3.7.1).
REAUTH_MAX_AGE_SECONDS = env.int("REAUTH_MAX_AGE_SECONDS", default=300)
# The name the authenticator app shows beside the codes.
OTP_TOTP_ISSUER = env("SERVICE_NAME", default="Mentoring schemes")
# Not even a superuser reads someone else's authenticator secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes: sign-in lockout (issue 10). No start-up banner on stderr: commands' output is read.
AXES_VERBOSE = False
# Lockout (ASVS 2.2.1), counted per account and, separately, per address: either locks. An NHS
# organisation's staff often share one outgoing address, so the address has its own, higher limit
# (mentoring.lockout.LockoutHandler). Failures made while locked do not extend the cool-off, so
# the page's "try again in N minutes" holds; a successful sign-in clears that account's count.
AXES_HANDLER = "mentoring.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # LoginForm is an AuthenticationForm; the e-mail is this
AXES_USERNAME_CALLABLE = "mentoring.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "mentoring.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "mentoring.views.accounts.locked_out"
# Its own superuser-only pages (mentoring/admin_axes.py); failures kept for them, successful
# sign-ins are in the access audit instead (one record of them, not two).
AXES_ENABLE_ADMIN = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = True
# Proxies in front of the service that append to X-Forwarded-For (production: one); with none,
# the client's address is REMOTE_ADDR and the header, which anyone can send, is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if HTTPS else 0)

# Sessions (ASVS 3.3.1, 3.3.2; mentoring/session_limits.py): staff are signed out after 30
# minutes without a request and 12 hours after signing in, whatever they do; everyone else after
# SESSION_IDLE_HOURS without a request or SESSION_MAX_HOURS after signing in. The cookie outlives
# the idle limit by an hour so the middleware, not the store, ends the session and says why.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
SESSION_IDLE_HOURS = env.int("SESSION_IDLE_HOURS", default=8)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=7 * 24)
SESSION_COOKIE_AGE = (SESSION_IDLE_HOURS + 1) * 60 * 60
# Account e-mails anyone can trigger (password reset, registration): at most this many an hour to
# one address; over it, nothing is sent and the page reads the same.
ACCOUNT_EMAILS_PER_HOUR = env.int("ACCOUNT_EMAILS_PER_HOUR", default=3)

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"

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
                "mentoring.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any plan it costs above 500,000: 2–3 s spent compiling report and
    # export queries that run in a tenth of that (docs/performance.md). This is a web
    # application's load, short queries, which JIT does not pay for.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=" + (
        "on" if env.bool("POSTGRES_JIT", default=False) else "off"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mentoring.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60 * 24)
INVITATION_TIMEOUT_DAYS = env.int("INVITATION_TIMEOUT_DAYS", default=14)
EMAIL_VERIFICATION_TIMEOUT_DAYS = env.int("EMAIL_VERIFICATION_TIMEOUT_DAYS", default=3)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
# Test-only: seconds a payment run's build waits half-way, inside its transaction, so a test can
# kill the worker mid-build and see that nothing partial is left. Never set in production.
PAYMENT_RUN_BUILD_PAUSE_SECONDS = env.float("PAYMENT_RUN_BUILD_PAUSE_SECONDS", default=0)

# E-mail: console by default; production sets EMAIL_URL (smtp+tls://user:pass@host:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Mentoring schemes <mentoring@example.nhs.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
SERVICE_NAME = env("SERVICE_NAME", default="Mentoring schemes")

# Celery: a Redis broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# In the embedded mode a failed send must not break the page whose work has already committed:
# the notification is marked failed and retried. Tests turn propagation on to see errors.
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Parallel test processes (pytest-xdist) share one Redis: each, and the Celery worker it starts
# (which inherits its environment), uses a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="mentoring") + (
    f"-{env.str('PYTEST_XDIST_WORKER')}" if env.str("PYTEST_XDIST_WORKER", default="") else ""
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SCHEDULE = {name: env(setting_name(name), default=job[1]) for name, job in JOBS.items()}
CELERY_BEAT_SCHEDULE = beat_schedule(SCHEDULE)
NOTIFICATION_SEND_LEASE_SECONDS = env.int("NOTIFICATION_SEND_LEASE_SECONDS", default=600)

# Retention (issue 10: UK GDPR storage limitation, ASVS 8.3.8): days each kind of data is kept,
# each from RETENTION_<KIND>_DAYS; the daily "apply-retention" job removes what is older
# (mentoring.privacy). The seeds set no periods; these follow NHS records-management norms.
RETENTION_DAYS = {
    kind: env.int(f"RETENTION_{kind.upper()}_DAYS", default=days)
    for kind, days in {
        "notifications": 2 * 365,  # sent messages: two years
        "job_runs": 365,  # scheduled jobs' run records: one year
        "rejected_applications": 2 * 365,  # not accepted or withdrawn: two years after
        "reflections": 2 * 365,  # agendas and reflections: two years after the mentorship
        "private_notes": 2 * 365,  # mentors' private notes: the same
        "rejected_claims": 7 * 365,  # never less than "finance"
        "finance": 7 * 365,  # claims and payments: 6 full financial years + the current one
    }.items()
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# Transport security: on whenever the service is served over HTTPS (production).
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's own view, named so nobody looks for another: it renders templates/403_csrf.html, a
# plain page that never shows the technical reason (that goes to the django.security.csrf log).
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

# Content Security Policy (django-csp): scripts, styles and everything else only from this origin;
# no inline script, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes tells of every sign-in at INFO; failures and lockouts are its WARNINGs.
        "axes": {"level": "WARNING"},
    },
}

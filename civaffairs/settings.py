"""CivAffairs settings: one module, configured from the environment.

Safe by default: DEBUG is off unless DEBUG=1, and there is no built-in secret. SECRET_KEY and
PII_HASH_KEY come from the environment; on a development machine, when unset, from `.run/keys/`,
which `make demo` / `make test` (civaffairs/devservices.py) fill once. HTTPS=1 switches on the
production transport settings (README "Deploying"). Also read: DATABASE_URL, REDIS_URL,
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, CONN_MAX_AGE, HSTS_SECONDS, LOG_LEVEL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from civaffairs import devservices

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# One switch for a server reached over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto).
HTTPS = env_bool("HTTPS", False)


def secret_setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    # A production server (HTTPS=1) takes its keys from its environment only, never from a
    # developer's key file that happens to lie in the checkout.
    if not HTTPS:
        value = devservices.read_key(name)
        if value:
            return value
        if "PYTEST_VERSION" in os.environ:
            # A bare `pytest` (an IDE, a CI step without make) gets what `make test` would make.
            return devservices.ensure_key(name)
    raise ImproperlyConfigured(
        f"{name} is not set. In production set the {name} environment variable to a long random "
        f"string of its own (python -c 'import secrets; print(secrets.token_urlsafe(50))'); on a "
        f"development machine run `make demo` or `make test` once, which writes "
        f"{os.path.relpath(devservices.key_path(name), BASE_DIR)}."
    )


SECRET_KEY = secret_setting("SECRET_KEY")
# The keyed hash a bureau stores beside each ID number (exact-number search) has its own key so
# SECRET_KEY can rotate; it never falls back to SECRET_KEY.
PII_HASH_KEY = secret_setting("PII_HASH_KEY")
if PII_HASH_KEY == SECRET_KEY:
    raise ImproperlyConfigured("PII_HASH_KEY must differ from SECRET_KEY: give each its own random value.")
# The province's key for the hashes bureaus publish for duplicate-benefit alerts (apps.province): one
# key for every bureau, so the same ID number gives the same hash everywhere; neither secret above.
PROVINCE_HASH_KEY = secret_setting("PROVINCE_HASH_KEY")
if PROVINCE_HASH_KEY in (SECRET_KEY, PII_HASH_KEY):
    raise ImproperlyConfigured("PROVINCE_HASH_KEY must differ from SECRET_KEY and PII_HASH_KEY.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --------------------------------------------------------------------------- transport security

if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header alone enrols nobody in the browsers' preload list; it makes submitting possible.
    SECURE_HSTS_PRELOAD = True
    # gunicorn sits behind a proxy that terminates TLS and MUST overwrite this header; with no
    # proxy in front, a client could claim https itself (README "Deploying").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --------------------------------------------------------------------------- apps and tenancy

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "civaffairs.admin_config.ProvinceAdminConfig",  # django.contrib.admin, amounts as money
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    # Shared too: the province's users have a password history and expiry like a bureau's.
    "apps.core",
    # The province's rollups and oversight pages live in the public schema only.
    "apps.province",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "civaffairs.admin_config.ProvinceAdminConfig",
    "django.contrib.messages",
    "rest_framework.authtoken",
    "simple_history",
    "axes",
    "apps.core",
    "apps.people",
    "apps.benefits",
    "apps.assistance",
    "apps.pensions",
    "apps.socialorgs",
    "apps.burial",
    "apps.disbursement",
    "apps.statistics",
    "apps.workbench",  # the bureau admin's home page, built from WORKBENCH_PANELS
    "apps.demo",  # the top floor: synthetic populations, demo commands, bootstrap (nothing imports it)
]

# Bureau apps whose `api/urls.py` is mounted under /api/v1/ on a bureau host.
BUREAU_API_APPS = [
    app for app in TENANT_APPS if app.startswith("apps.") and app not in {"apps.demo", "apps.workbench"}
]

# Called by `bootstrap` inside each bureau's schema with its seed; each returns lines
# "+ created …" / "= unchanged …" (see apps.demo.bootstrap.run_seed_loaders).
SEED_LOADERS = [
    "apps.people.seeding.load_towns",
    "apps.benefits.seeding.load_standards",
    "apps.statistics.seeding.load_reported_figures",
    "apps.burial.seeding.load_defaults",
]

# The nightly run of each bureau (apps.core.nightly): functions `step(*, today) -> dict`, in order.
NIGHTLY_STEPS = [
    # Life events first: the eligibility engine must not enrol the dead.
    "apps.benefits.services.entitlements_stop_for_deaths",
    "apps.benefits.services.entitlements_end_past",
    "apps.pensions.nightly.eligibility_step",
    "apps.assistance.services.reviews_overdue",
    "apps.disbursement.nightly.resume_stalled_runs",
    "apps.disbursement.nightly.lines_cancel_ended",
    "apps.disbursement.nightly.export_approved_runs",
    "apps.disbursement.nightly.offcycle_runs",
    "apps.disbursement.nightly.supplementary_runs",
    "apps.disbursement.nightly.recovery_listing",
    "apps.socialorgs.listing.nightly_step",
    # Last: the province's rollup sees what the steps above changed.
    "apps.province.nightly.rollup_step",
]

# Called by apps.benefits.services.grant_cancel inside its transaction, before the grant is cancelled:
# `hook(*, grant, user, reason)` cancels what pays the grant or raises ValidationError to refuse.
GRANT_CANCEL_HOOKS = [
    "apps.disbursement.services.grant_lines_cancel",
]

# The bureau admin's home page (apps.workbench): `panel(*, request) -> Panel | None` (apps.core.registries).
WORKBENCH_PANELS: list[str] = [
    "apps.socialorgs.panels.panel",
    "apps.burial.panels.deaths_this_week",
    "apps.disbursement.panels.payments_panel",  # finance and approvers: runs, held and failed lines
    "apps.province.panels.duplicates_panel",
    "apps.assistance.panels.applications_panel",
    "apps.assistance.panels.reviews_panel",
    "apps.people.panels.certificates_panel",
    "apps.pensions.panels.eligibility_panel",
    "apps.workbench.panels.month_panel",
]
# The bureau admin's home page in place of django's model index (apps.core.admin_site).
BUREAU_ADMIN_HOME = "apps.workbench.views.home"
# A person's or household's whole story on its admin page: `panel(*, request, person=None,
# household=None) -> StoryPanel | None` (apps.core.registries), read by the people admin.
PERSON_STORY_PANELS: list[str] = [
    "apps.assistance.panels.applications_story",
    "apps.benefits.panels.entitlements_story",
    "apps.benefits.panels.grants_story",
    "apps.assistance.panels.reviews_story",
    "apps.disbursement.story.payments_story",
    "apps.people.panels.history_story",
]

# A bureau's figures for a calendar year, each app computing its own from its own tables:
# `figures(*, year) -> list[Figure]` (apps.core.registries). Read by apps.statistics and the province.
ANNUAL_FIGURES: list[str] = [
    "apps.benefits.figures.annual_figures",
    "apps.assistance.figures.annual_figures",
    "apps.pensions.figures.annual_figures",
    "apps.disbursement.figures.annual_figures",
    "apps.socialorgs.selectors.figures",
    "apps.burial.figures.annual_figures",
]
# Per month and programme: `figures(*, first, last) -> list[MonthlyFigure]` (apps.core.registries).
MONTHLY_FIGURES: list[str] = [
    "apps.benefits.figures.monthly_figures",
    "apps.disbursement.figures.monthly_figures",
]

# What a bureau sends the province besides its figures (apps.province.services): `rollup(*, today) -> dict`
# with any of "standards" (in force), "health" (numbers or short codes), "hashes" ((HMAC, programme)).
# Numbers and codes only: the province refuses a rollup carrying anything else.
ROLLUP_CONTRIBUTORS = [
    "apps.benefits.rollups.rollup",
    "apps.assistance.rollups.rollup",
    "apps.disbursement.rollups.rollup",
]

# --------------------------------------------------------------------------- uploads
# What a user may send (apps.core.uploads): each refusal names the limit. Bodies other than files stay
# small; a file above FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to a temporary file, never held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
# The people import (100,000 rows at most) is a few megabytes; a bank return of a million lines ~65 MB.
UPLOAD_MAX_BYTES_XLSX = int(os.environ.get("UPLOAD_MAX_BYTES_XLSX", 20 * 1024 * 1024))
UPLOAD_MAX_BYTES_BANK_RETURN = int(os.environ.get("UPLOAD_MAX_BYTES_BANK_RETURN", 80 * 1024 * 1024))
# An XLSX is a zip: refused before parsing if it unpacks to more than this, has more parts, or packs a
# part (above 1 MB) more tightly than this ratio. Real sheets pack 5-20 times; a zip bomb hundreds.
UPLOAD_MAX_XLSX_UNPACKED_BYTES = int(os.environ.get("UPLOAD_MAX_XLSX_UNPACKED_BYTES", 200 * 1024 * 1024))
UPLOAD_MAX_XLSX_RATIO = int(os.environ.get("UPLOAD_MAX_XLSX_RATIO", 100))
UPLOAD_MAX_XLSX_MEMBERS = int(os.environ.get("UPLOAD_MAX_XLSX_MEMBERS", 1000))

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Bureau"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "civaffairs.urls_public"
ROOT_URLCONF = "civaffairs.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Set search_path once per tenant switch rather than before every query (halves round trips).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Before the tenant lookup: a load balancer probes by address, which names no bureau.
    "civaffairs.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files need no bureau either; whitenoise answers them before the schema is chosen.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.BureauMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses a body above every upload limit by its declared length, before anything reads it (CSRF would).
    "apps.core.uploads.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # An expired password (Bureau.password_max_age_days) leaves only the admin's password change open.
    "apps.core.passwords.PasswordExpiryMiddleware",
    # Writes the request's reads of whole ID numbers and accounts in one insert (apps.core.pii_access).
    "apps.core.pii_access.PersonalDataAccessMiddleware",
    # Last, as django-axes asks: it turns lock-outs into responses.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civaffairs" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "civaffairs.wsgi.application"

# --------------------------------------------------------------------------- database and cache

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/civaffairs"),
        # One connection per gunicorn worker, kept between requests (a new one per request cost a
        # connect and 53 open at once under load). Not psycopg's pool: with a pool a worker holds
        # several connections for nothing (sync workers serve one request at a time).
        # django-tenants sets search_path again after every tenant switch and forgets it when the
        # connection closes, so a kept connection never carries one bureau's schema into another's
        # request. Behind PgBouncer use session pooling (transaction pooling loses search_path).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", 600)),
        conn_health_checks=True,
    )
}
# django-tenants' backend, with a health check that skips a connection used a moment ago.
DATABASES["default"]["ENGINE"] = "tenants.postgresql_backend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Without the tenant-aware key function two bureaus share every cache key.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --------------------------------------------------------------------------- auth

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# ---- tokens, passwords (issue 10, part "auth"): rules in apps.core.passwords, tokens in apps.core.api.auth(entication).
# Passwords: at least 10 characters of at least 3 kinds, not like the username or name, not common, not
# one of the last PASSWORD_HISTORY; each bureau sets their lifetime (Bureau.password_max_age_days).
PASSWORD_HISTORY = int(os.environ.get("PASSWORD_HISTORY", 5))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "apps.core.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "apps.core.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": PASSWORD_HISTORY}},
]
# An API token lives this long from issue, however busy (default 8 hours: one working day).
API_TOKEN_LIFETIME = timedelta(hours=float(os.environ.get("API_TOKEN_LIFETIME_HOURS", 8)))
# Failed logins: 5 within the cool-off window lock the (user, address) pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

LOGIN_URL = "admin:login"

# --------------------------------------------------------------------------- i18n

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / ".run" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies at collectstatic; no manifest, so a checkout that never ran collectstatic
    # (tests, a developer's shell) still renders every page.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files are found in the apps as well as in STATIC_ROOT: the admin's CSS loads even before the
# first collectstatic (`make demo` runs it; production runs it once per release).
WHITENOISE_USE_FINDERS = True

# --------------------------------------------------------------------------- API

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.api.filters.FilterBackend",
        "apps.core.api.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.EstimatedCountPagination",
    "PAGE_SIZE": 20,  # ?page_size= up to 100 (apps.core.pagination)
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
}
# An unfiltered list over a table with at least this many rows shows the planner's estimate as its
# total instead of counting every row on every page (apps.core.pagination).
PAGINATION_EXACT_COUNT_BELOW = int(os.environ.get("PAGINATION_EXACT_COUNT_BELOW", 100_000))
SPECTACULAR_SETTINGS = {
    "TITLE": "CivAffairs API",
    "DESCRIPTION": "Civil-affairs bureau administration: people, programmes, payments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema maps every path and field of personal data: only for users who are logged in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Choice sets that share a field name get names of their own, not a hash (and no warning).
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeCodeEnum": "apps.benefits.models.ProgrammeCode",
        "ApplicationProgrammeEnum": "apps.assistance.models.ApplicationProgramme",
        "ApplicationStatusEnum": "apps.assistance.models.Application.Status",
        "PaymentRunKindEnum": "apps.disbursement.models.PaymentRun.Kind",
        "ChildWelfareKindEnum": "apps.pensions.models.ChildWelfareRecord.Kind",
        "MealSiteKindEnum": "apps.pensions.models.MealSite.Kind",
        "SocialOrgListEnum": "apps.socialorgs.models.Listing.Kind",
        "CemeteryKindEnum": "apps.burial.models.Cemetery.Kind",
        "DispositionEnum": "apps.burial.models.Disposition",
        "SocialOrgMajorEventKindEnum": "apps.socialorgs.models.MajorEventReport.Kind",
    },
}
# `check --deploy` checks the deployment, not the schema's enum names (the OpenAPI tests do that);
# drf-spectacular's own deploy check would generate the whole schema and fail it on naming warnings.
SPECTACULAR_SETTINGS["ENABLE_DJANGO_DEPLOY_CHECK"] = False

# --------------------------------------------------------------------------- Celery

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A payment run over a million entitlements takes minutes; a redelivery must never race a live task.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 4 * 3600))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How many workers a bureau's run of more than one chunk is offered to (apps.disbursement.tasks): they
# claim its chunks side by side. 1 sends no helper; a helper finding the run generated does nothing.
DISBURSEMENT_GENERATION_WORKERS = int(os.environ.get("DISBURSEMENT_GENERATION_WORKERS", 2))
# /healthz waits this long (seconds) for a worker's answer to a ping before calling Celery down.
HEALTH_CELERY_TIMEOUT = float(os.environ.get("HEALTH_CELERY_TIMEOUT", 1.0))
CELERY_TASK_ALWAYS_EAGER = False
# pytest (8.2+) sets PYTEST_VERSION: a test session gets a queue of its own, so a demo worker on the
# same Redis never takes a test's task (and runs it against the wrong database).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE") or (
    f"civaffairs-test-{os.getpid()}" if "PYTEST_VERSION" in os.environ else "civaffairs"
)

# --------------------------------------------------------------------------- logging

# No ID number or bank account in any log line: the request loggers and the console handler mask them
# (apps.core.logfilters). gunicorn's access and error loggers go through the console handler here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "apps.core.logfilters.PiiMaskingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["pii"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["pii"]},
        "django.server": {"filters": ["pii"]},
        "gunicorn.access": {"filters": ["pii"], "propagate": True},
        "gunicorn.error": {"filters": ["pii"], "propagate": True},
    },
}

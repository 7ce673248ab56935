"""Settings for the portal, in one module, read from the environment.

DJANGO_SECRET_KEY   required unless DJANGO_DEBUG is on
PORTAL_AUDIT_KEY    the HMAC key of the audit log's hash chain; required unless DJANGO_DEBUG is on.
                    Keep it out of the database and its backups, and never change it: events are
                    verified with the key they were written with.
DJANGO_DEBUG        1/true/yes/on for development; off by default
DJANGO_ALLOWED_HOSTS comma-separated host names
DATABASE_URL        absent: SQLite under var/; postgres://user@host:port/db for PostgreSQL
DATABASE_REPLICA_URLS comma-separated postgres:// URLs of streaming replicas of DATABASE_URL;
                    anonymous public pages read from them (portal.replicas)
MEDIA_ROOT          where uploaded files are kept (default var/media)
EXPORT_ROOT         where the public catalogue listing files are kept (default var/exports)
PORTAL_BASE_URL     the portal's public address, as links in exported files and reports start
                    (default http://127.0.0.1:8000, the development server)
PORTAL_STAFF_EXPORTS_PER_MINUTE  catalogue exports one staff member may start per minute (default 5)
REDIS_URL           redis://host:6379/0: cached pages shared by every app server, which render
                    uncached while Redis fails (absent: a per-process memory cache)
PORTAL_SEARCH_PAGES_KEPT  search result pages the page cache keeps in ten minutes (default 500;
                    about 35 KB each: with Redis, 5,000 hold a busy site's searches in 175 MB)
PORTAL_PAGE_SECONDS how long the page cache keeps a page at most (default 3600); any change of
                    what it shows forgets it sooner
PRIVATE_MEDIA_ROOT  files only staff views hand out, never served by URL (default var/private);
                    keep it outside MEDIA_ROOT and out of the web server's reach
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105

# The audit chain is keyed (HMAC-SHA256) so that write access to the database alone cannot
# rewrite the log and re-hash it (portal.audit).
AUDIT_HMAC_KEY = os.environ.get("PORTAL_AUDIT_KEY", "")
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PORTAL_AUDIT_KEY is not set. Set it to a long random value in production, "
            "different from DJANGO_SECRET_KEY and kept out of the database "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    AUDIT_HMAC_KEY = "development-only-audit-key-not-for-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "mptt",
    "simple_history",
    "portal.login_protection.AxesConfig",  # django-axes, named in Chinese
    "ckeditor",
    "ckeditor_uploader",
    "portal",
    "catalog",
    "disclosure",
    "disclosure.applications",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Outside the page cache, so that the pages it serves are counted too (no identifiers kept).
    "portal.visits.VisitCountingMiddleware",
    # Inside the host checks, outside CSRF and messages, whose cookies it must see.
    "portal.page_cache.PublicPageCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous public reads go to replicas when DATABASE_REPLICA_URLS is set (else a no-op).
    "portal.replicas.PublicReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.AuditContextMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.login_guard.GuessingGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.context_processors.site",
                "portal.elder_mode.context",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            # IMMEDIATE takes SQLite's write lock at the start of every transaction, so
            # concurrent writers queue instead of failing half-way ("database is locked").
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URLS:
    if not DATABASE_URL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS needs DATABASE_URL: replicas copy a PostgreSQL primary."
        )
    for number, url in enumerate(DATABASE_REPLICA_URLS, start=1):
        DATABASES[f"replica{number}"] = {
            **dj_database_url.parse(url, conn_max_age=60),
            # Tests make no database on a replica: against a real standby, the primary's test
            # database arrives there by replication under the same name.
            "TEST": {"MIRROR": "default"},
        }
    DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every page is Chinese whatever language the browser asks for (no LocaleMiddleware): a page
# half in English ("590 bytes") helps nobody. Texts stay in gettext so a locale can follow.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Django's own words to staff in the polite form (您, not 你; bin/polite-locale made them),
# read before Django's catalogues.
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def redis_caches(url):
    """The caches in the Redis at ``url`` (Django's backend, needs the redis package), as a cache
    the portal can do without (portal.redis_cache): a Redis that does not connect within a
    quarter of a second or answer within half a second counts as down, and pages render
    uncached. A healthy Redis next to the app servers answers in about a millisecond."""
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    backend = "portal.redis_cache.SoftRedisCache"
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_PREFIX": "portal",
            "OPTIONS": options,
        },
        "shared": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_PREFIX": "portal-shared",
            "OPTIONS": options,
        },
    }


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Every app server shares one Redis: public pages and hints of the public listing's builds.
    # The public version, limits, the build lock and sessions are in the database
    # (portal.page_cache, portal.ratelimit, portal.sessions), so Redis down, hung or restarted
    # from an old snapshot costs renders, never an error or an old page.
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {
        # Per process; cached pages are keyed by the public version kept in the database, so a
        # process never serves a page older than the last change (portal.page_cache).
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Seen by every worker process: which public listing is being built (the public version,
        # limits and the build lock are in tables of their own). Its table is made by
        # `manage.py createcachetable`.
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_shared_cache",
        },
    }

# The public catalogue listing is kept here as files, outside MEDIA_ROOT (never served as media).
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", VAR_DIR / "exports"))
# Links in files made without a request (commands, the compliance report) start with this.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
STAFF_EXPORTS_PER_MINUTE = int(os.environ.get("PORTAL_STAFF_EXPORTS_PER_MINUTE", "5"))

LOGIN_URL = "admin:login"

# Production hardening: on unless DEBUG; each can be turned off behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions in the database, with or without Redis: a Redis down or restarted from an old snapshot
# neither signs staff out nor brings back a signed-out session. A cookie naming no session (made
# up, expired) is dropped without a row being written (portal.sessions).
SESSION_ENGINE = "portal.sessions"
# Staff sessions end after 30 minutes without a request (the expiry slides with each request).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Staff login lockout (django-axes): 5 failures for one account from one address lock that
# pair for 30 minutes; locking the pair rather than the account keeps an attacker from
# locking staff out from elsewhere. Axes keeps its attempts in the database (its default
# handler), which every app server shares already.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Number of proxies in front of the app whose X-Forwarded-For entries are trusted (0: none).
PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))
# Search result pages (free text) the page cache keeps in ten minutes (portal.page_cache).
PORTAL_SEARCH_PAGES_KEPT = int(os.environ.get("PORTAL_SEARCH_PAGES_KEPT", "500"))
# How long the page cache keeps a page at most, in seconds (portal.page_cache).
PORTAL_PAGE_SECONDS = int(os.environ.get("PORTAL_PAGE_SECONDS", "3600"))
# Axes locks the client every limit counts (an IPv6 address by its /64, portal.clients).
AXES_CLIENT_IP_CALLABLE = "portal.clients.lockout_address"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Rich text: django-ckeditor bundles CKEditor 4.22, which is out of support (ckeditor.W001).
# The check is silenced because what stands between the editor and the public does not rely on
# CKEditor: every stored body is sanitised server-side with nh3 (portal.sanitize.clean_html,
# through SanitizedHTMLField); ckeditor_uploader's own URLs are not routed at all, and the
# portal's upload and browse views (disclosure.documents.views.editor_upload / editor_browse) keep CSRF,
# require document rights and an agency, accept PNG, JPEG, GIF and WebP by content only and
# re-encode them under a random name; files under MEDIA_ROOT are served by content type from an
# allow-list with nosniff and a sandbox policy (portal.media.serve_media). Tests in
# tests/disclosure/test_editor_uploads.py hold each of these.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001"]
CKEDITOR_UPLOAD_PATH = "editor/"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
CKEDITOR_IMAGE_BACKEND = "ckeditor_uploader.backends.PillowBackend"
CKEDITOR_BROWSE_SHOW_DIRS = False
CKEDITOR_RESTRICT_BY_DATE = True
CKEDITOR_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "height": 420,
        "width": "100%",
        "toolbar": "Disclosure",
        "toolbar_Disclosure": [
            ["Format", "Bold", "Italic", "Underline", "Subscript", "Superscript", "RemoveFormat"],
            ["JustifyLeft", "JustifyCenter", "JustifyRight", "Indent", "Outdent"],
            ["NumberedList", "BulletedList", "Table", "Image", "Link", "Unlink", "HorizontalRule"],
            ["PasteText", "PasteFromWord", "Undo", "Redo", "Source", "Maximize"],
        ],
        "removePlugins": "flash,iframe,forms",
        # Uploads go by XHR, so they carry the CSRF header (static/js/editor-csrf.js).
        "filebrowserUploadMethod": "xhr",
        "disallowedContent": "script; *[on*]",
    }
}

DISCLOSURE_MAX_ATTACHMENT_BYTES = (
    int(os.environ.get("DISCLOSURE_MAX_ATTACHMENT_MB", "50")) * 1024 * 1024
)
DISCLOSURE_MAX_IMAGE_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# 依申请公开: the proof of identity's size limit, the public form's limit per address and hour,
# and how many years after closing an application its identity file and ID number are kept.
APPLICATION_MAX_IDENTITY_BYTES = int(os.environ.get("PORTAL_IDENTITY_FILE_MB", "5")) * 1024 * 1024
APPLICATIONS_PER_HOUR = int(os.environ.get("PORTAL_APPLICATIONS_PER_HOUR", "5"))
APPLICATION_PERSONAL_DATA_YEARS = int(os.environ.get("PORTAL_APPLICATION_KEEP_YEARS", "3"))
# Proofs of identity kept for forms that came back with other errors (a day at most): at most
# this many at once, whoever sends the forms (200 × the size limit on disk at most).
APPLICATION_KEPT_IDENTITY_FILES = int(os.environ.get("PORTAL_KEPT_IDENTITY_FILES", "200"))

# E-mail to applicants: SMTP when EMAIL_HOST is set, else printed to the console (development)
# or refused (production).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "465"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "1") == "1"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("EMAIL_USE_TLS", "") == "1"
    EMAIL_TIMEOUT = 10
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Not the console: the messages hold 查询码 and would land in the server's log.
    EMAIL_BACKEND = "portal.mail.UnconfiguredEmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongkai@localhost")

# Old versions are shown and compared, never restored: a restore would bring back the status a
# version had (re-publishing a withdrawn document) without the review workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True

# The public site's name when no SiteSettings row exists yet.
PORTAL_SITE_NAME = "政务公开门户"

# The link checker (check_links): external links are fetched from public addresses only;
# networks listed here (CIDR, comma-separated) may be fetched although they are private (an
# intranet mirror of a linked site; tests name 127.0.0.1/32). Never the portal's own network.
LINK_CHECK_ALLOWED_NETWORKS = env_list("PORTAL_LINK_CHECK_ALLOWED_NETWORKS", "")
LINK_CHECK_USER_AGENT = os.environ.get(
    "PORTAL_LINK_CHECK_USER_AGENT", "ZhengwuGongkaiLinkChecker/1.0 (+check_links)"
)

"""Superset configuration of the Zhaotong eco-environment data platform.

Superset loads this file through ``SUPERSET_CONFIG_PATH``; ``orchestration/superset.py``
(``superset_env``) sets that and everything below. It runs inside the Superset environment
(``.venv-superset``), never the pipeline one.

Environment:
  ZTECO_HOME                  data home (default ``<repo>/data``); the metadata DB lives in
                              ``$ZTECO_HOME/superset/superset.db``.
  ZTECO_SUPERSET_SECRET_KEY   required: signs sessions and encrypts stored connection secrets.
                              The controller generates one under ``$ZTECO_HOME/superset/`` if unset.
                              Changing it later makes stored secrets unreadable.

Notes on choices made here (details in docs of the controller):
  * The UI defaults to Chinese (``zh``); English stays selectable.
  * No external fetches: the content security policy only allows this host, which also blocks
    the frontend's telemetry pixel (apachesuperset.gateway.scarf.sh) and web fonts; the CJK text
    uses the fonts installed on the reader's machine.
  * No data cache: the serving DuckDB file is swapped atomically by the pipeline, and a cache
    would show the previous version after a swap. DuckDB answers the marts in milliseconds.
  * ``PREVENT_UNSAFE_DB_CONNECTIONS`` stays on: DuckDB is not on Superset's block list (sqlite and
    shillelagh are); reading files from SQL Lab is stopped by the connection itself
    (``enable_external_access: false``, read-only), see dashboards/assets/databases/.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

# Superset imports this file at the end of superset/config.py: its defaults are all defined.
_base = sys.modules["superset.config"]


def _data_home() -> Path:
    try:  # the repo is on PYTHONPATH when started by orchestration/superset.py
        from ingestion.common.home import Home

        return Home.from_env().root
    except ImportError:  # pragma: no cover - started by hand without PYTHONPATH
        return Path(os.environ.get("ZTECO_HOME") or Path(__file__).resolve().parents[1] / "data").resolve()


_HOME = _data_home()
_SUPERSET_HOME = _HOME / "superset"

SECRET_KEY = os.environ.get("ZTECO_SUPERSET_SECRET_KEY", "")
if len(SECRET_KEY) < 32:
    raise RuntimeError(
        "ZTECO_SUPERSET_SECRET_KEY must be set to a random string of at least 32 characters "
        "(orchestration/superset.py generates and keeps one under $ZTECO_HOME/superset/)."
    )
# Secrets of features that stay off, derived so that no default secret is ever in use.
GUEST_TOKEN_JWT_SECRET = hashlib.sha256(b"guest-token:" + SECRET_KEY.encode()).hexdigest()
GLOBAL_ASYNC_QUERIES_JWT_SECRET = hashlib.sha256(b"async-queries:" + SECRET_KEY.encode()).hexdigest()

SQLALCHEMY_DATABASE_URI = f"sqlite:///{_SUPERSET_HOME / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_SUPERSET_HOME)
UPLOAD_FOLDER = str(_SUPERSET_HOME / "uploads") + "/"

APP_NAME = "昭通市生态环境数据平台"

# ---------------------------------------------------------------- language and formats
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
D3_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
D3_TIME_FORMAT = {
    "dateTime": "%Y年%-m月%-d日 %H:%M:%S",
    "date": "%Y/%-m/%-d",
    "time": "%H:%M:%S",
    "periods": ["上午", "下午"],
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
    "shortMonths": ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
}
CURRENCIES = ["CNY"]

# Corrections to Superset 6.1's Chinese language pack for what leaders see (its "Sign in" reads
# "Not In", a table's "24 records" reads "24 异常"), and the pack served to anonymous users too:
# Superset guards /superset/language_pack/ with a login, so the login page would stay English.
_ZH_OVERRIDES = {
    "Sign in": "登录",
    "Enter your login and password below:": "请输入用户名和密码：",
    "%s record": "%s 条记录",
    "%s record...": "%s 条记录…",
    "%s records...": "%s 条记录…",
    "entries": "条",
    "Show %s entries": "每页显示 %s 条",
    "Show entries per page": "每页显示条数",
    "entries per page": "条",
}


@functools.lru_cache(maxsize=1)
def _zh_language_pack() -> bytes:
    import superset

    pack_path = Path(superset.__file__).parent / "translations" / "zh" / "LC_MESSAGES" / "messages.json"
    pack = json.loads(pack_path.read_text(encoding="utf-8"))
    messages = pack["locale_data"]["superset"]
    for msgid, text in _ZH_OVERRIDES.items():
        messages[msgid] = [text]
    return json.dumps(pack, ensure_ascii=False).encode("utf-8")


def FLASK_APP_MUTATOR(app):  # noqa: N802 - Superset's config name
    from flask import Response, request

    @app.before_request
    def _serve_zh_language_pack():
        if request.path.rstrip("/") == "/superset/language_pack/zh":
            return Response(_zh_language_pack(), mimetype="application/json")
        return None

# Theme: same as Superset's, with the platform name and CJK fonts in the font stack; light only.
THEME_DEFAULT = copy.deepcopy(_base.THEME_DEFAULT)
THEME_DEFAULT["token"].update(
    {
        "brandAppName": APP_NAME,
        "brandLogoAlt": APP_NAME,
        "fontUrls": [],
        "fontFamily": (
            "Inter, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
            "Helvetica, Arial, sans-serif"
        ),
    }
)
THEME_DARK = None

# ---------------------------------------------------------------- no external fetches
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
DATASET_IMPORT_ALLOWED_DATA_URLS: list[str] = []  # imported datasets never download data
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG
CONTENT_SECURITY_POLICY_WARNING = False
MAPBOX_API_KEY = ""
BUG_REPORT_URL = None
DOCUMENTATION_URL = None
TROUBLESHOOTING_LINK = ""

# ---------------------------------------------------------------- features
FEATURE_FLAGS = {
    # Per-dashboard role access: the base for "a county official sees only their county"
    # (row level security on the marts comes with it, later).
    "DASHBOARD_RBAC": True,
    # Off: they need Celery workers, a webdriver, or run user code.
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "EMBEDDED_SUPERSET": False,
    "ENABLE_JAVASCRIPT_CONTROLS": False,
    "GLOBAL_ASYNC_QUERIES": False,
    "ENABLE_SUPERSET_META_DB": False,
    "ALLOW_ADHOC_SUBQUERY": False,
    "TAGGING_SYSTEM": False,
}

PREVENT_UNSAFE_DB_CONNECTIONS = True
PUBLIC_ROLE_LIKE = None
SHOW_STACKTRACE = False

# ---------------------------------------------------------------- web security
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False  # served on 127.0.0.1 over http; set True behind a TLS proxy
ENABLE_PROXY_FIX = False

# ---------------------------------------------------------------- queries
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
ROW_LIMIT = 50_000
SQL_MAX_ROW = 100_000
SQLLAB_TIMEOUT = 60
SQLLAB_ASYNC_TIME_LIMIT_SEC = 300
SUPERSET_WEBSERVER_TIMEOUT = 60
SQLLAB_CTAS_NO_LIMIT = False

LOG_LEVEL = "INFO"

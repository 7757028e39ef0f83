"""Run Apache Superset for the platform: initialise it, publish the dashboards, start and stop it.

This module runs in the pipeline environment and drives Superset, which lives in its own
virtual environment (``.venv-superset``; Superset 6.1 caps SQLAlchemy < 2 and pandas < 2.2),
by subprocess. Superset only ever opens the serving copy ``$ZTECO_HOME/serving/zteco.duckdb``,
read-only and without external access; the pipeline replaces that file atomically.

Environment variables:
  ZTECO_HOME                 data home (default ``<repo>/data``), see ingestion/common/home.py.
                             Superset's state is under ``$ZTECO_HOME/superset/``; the server log
                             is ``$ZTECO_HOME/logs/superset.log``, CLI output ``superset-cli.log``.
  ZTECO_SUPERSET_SECRET_KEY  Superset's SECRET_KEY (signs sessions, encrypts stored secrets).
                             If unset, one is generated once and kept in
                             ``$ZTECO_HOME/superset/secret_key`` (mode 600).
  ZTECO_ADMIN_PASSWORD       password of the Superset user ``admin``. If unset, one is generated
                             once, kept in ``$ZTECO_HOME/superset/admin_password`` (mode 600) and
                             printed once. Changing it is applied by the next ``init_superset``.
  ZTECO_SUPERSET_PORT        port on 127.0.0.1 (default 8088).
  ZTECO_SUPERSET_WORKERS     gunicorn worker processes (default 2; each ~0.3-0.45 GB RSS).
  ZTECO_SUPERSET_VENV        the Superset virtual environment (default ``<repo>/.venv-superset``).

Notes:
  * Dashboards are published with Superset's assets importer (dashboards/import_assets.py), not
    ``superset import-dashboards``: the latter never updates an existing chart, dataset or
    database, only the dashboard. Publishing writes the metadata DB; no server is needed.
  * ``fab create-admin``/``reset-password`` take the password on their command line (visible in
    the process list for a few seconds; it is masked in superset-cli.log).
  * Stop the server with ``stop_superset`` (or SIGTERM/Ctrl-C to ``serve``): gunicorn runs in its
    own session, so killing only the Python parent with SIGKILL would leave it running.

Command line (also usable from the project CLI):
  python -m orchestration.superset init      # db upgrade, admin user, roles (skipped when done)
  python -m orchestration.superset publish   # import dashboards/assets/ (overwrite by UUID)
  python -m orchestration.superset serve     # init + publish + run until Ctrl-C
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import yaml

from ingestion.common.home import REPO_ROOT, Home
from orchestration.processes import stop_process_group

ADMIN_USER = "admin"
DEFAULT_PORT = 8088
DASHBOARDS_DIR = REPO_ROOT / "dashboards"
ASSETS_DIR = DASHBOARDS_DIR / "assets"
CONFIG_PATH = DASHBOARDS_DIR / "superset_config.py"
IMPORT_SCRIPT = DASHBOARDS_DIR / "import_assets.py"
ACCESS_SCRIPT = DASHBOARDS_DIR / "apply_access.py"  # roles, row-level security, demo users (access.yaml)
COUNTIES_SEED = REPO_ROOT / "dbt_project" / "seeds" / "counties.csv"
SERVING_PLACEHOLDER = "{{ SERVING_DB }}"
_INIT_MARKER = "zteco-init.json"
_BUNDLE_ROOT = "zteco_assets"


class SupersetError(RuntimeError):
    """A Superset command or the server failed; the message carries the output's tail."""


# ----------------------------------------------------------------------------- environment

def _home(home: Home | Path | str | None) -> Home:
    if home is None:
        return Home.from_env()
    if isinstance(home, Home):
        return home
    return Home(Path(home).resolve())


def superset_venv() -> Path:
    return Path(os.environ.get("ZTECO_SUPERSET_VENV") or REPO_ROOT / ".venv-superset")


def _bin(name: str) -> str:
    path = superset_venv() / "bin" / name
    if not path.exists():
        raise SupersetError(
            f"{path} not found: create the Superset environment from dashboards/requirements.lock "
            "(see README) or set ZTECO_SUPERSET_VENV"
        )
    return str(path)


def superset_version() -> str:
    """Version of apache-superset installed in the Superset environment (no subprocess)."""
    found = sorted(superset_venv().glob("lib/python*/site-packages/apache_superset-*.dist-info"))
    if not found:
        raise SupersetError(f"apache-superset is not installed in {superset_venv()}")
    return found[-1].name.removeprefix("apache_superset-").removesuffix(".dist-info")


def _secret_file(path: Path, env_var: str, nbytes: int, announce: str | None = None) -> str:
    """Value of ``env_var``, else the content of ``path``, else a new random value stored there."""
    value = os.environ.get(env_var)
    if value:
        return value
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    if announce:
        print(announce.format(value=value, path=path), file=sys.stderr)
    return value


def get_secret_key(home: Home | Path | str | None = None) -> str:
    return _secret_file(_home(home).superset_home / "secret_key", "ZTECO_SUPERSET_SECRET_KEY", 48)


def get_admin_password(home: Home | Path | str | None = None) -> str:
    return _secret_file(
        _home(home).superset_home / "admin_password",
        "ZTECO_ADMIN_PASSWORD",
        18,
        announce=(
            f"Superset user '{ADMIN_USER}' password (generated once, kept in {{path}}): {{value}}"
        ),
    )


def superset_env(home: Home | Path | str | None = None) -> dict[str, str]:
    """Environment for every Superset process: config path, state directory, secret key."""
    h = _home(home)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV", "FLASK_APP")}
    venv = superset_venv()
    env.update(
        {
            "ZTECO_HOME": str(h.root),
            "SUPERSET_CONFIG_PATH": str(CONFIG_PATH),
            "SUPERSET_HOME": str(h.superset_home),
            "ZTECO_SUPERSET_SECRET_KEY": get_secret_key(h),
            # superset_config.py imports ingestion.common.home (pure standard library).
            "PYTHONPATH": str(REPO_ROOT),
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# ----------------------------------------------------------------------------- CLI commands

def _run(home: Home, args: list[str], *, timeout: float = 600) -> str:
    """Run a command in the Superset environment; log its output; raise with the tail on failure."""
    h = home
    h.logs.mkdir(parents=True, exist_ok=True)
    h.superset_home.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    proc = subprocess.run(
        args, env=superset_env(h), cwd=h.superset_home, capture_output=True, text=True, timeout=timeout
    )
    output = proc.stdout + proc.stderr
    shown = [a if not a.startswith("--password=") else "--password=***" for a in args]
    with (h.logs / "superset-cli.log").open("a", encoding="utf-8") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(shown)} "
                  f"(rc={proc.returncode}, {time.monotonic() - started:.1f}s)\n{output}")
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise SupersetError(f"{' '.join(shown[:3])} failed (rc={proc.returncode}):\n{tail}")
    return output


def _fingerprint(home: Home, password: str) -> dict[str, str]:
    return {
        "superset_version": superset_version(),
        "config_sha256": hashlib.sha256(CONFIG_PATH.read_bytes()).hexdigest(),
        # salted with the secret key: the marker does not reveal the password
        "admin_password_sha256": hashlib.sha256((get_secret_key(home) + password).encode()).hexdigest(),
    }


def init_superset(home: Home | Path | str | None = None, admin_password: str | None = None) -> bool:
    """Create or upgrade Superset's metadata DB, the ``admin`` user and the roles.

    Idempotent. Skipped (returns False, ~0 s) when a previous run recorded the same Superset
    version, config file and admin password; otherwise runs ``superset db upgrade``,
    ``fab create-admin`` (or ``fab reset-password`` if admin exists) and ``superset init`` (~20 s).
    """
    h = _home(home)
    h.superset_home.mkdir(parents=True, exist_ok=True)
    h.logs.mkdir(parents=True, exist_ok=True)
    password = admin_password or get_admin_password(h)
    marker = h.superset_home / _INIT_MARKER
    wanted = _fingerprint(h, password)
    if marker.exists() and (h.superset_home / "superset.db").exists():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == wanted:
                return False
        except ValueError:
            pass

    superset = _bin("superset")
    _run(h, [superset, "db", "upgrade"])
    out = _run(h, [superset, "fab", "create-admin", "--username", ADMIN_USER, "--firstname", "系统",
                   "--lastname", "管理员", "--email", "admin@localhost", f"--password={password}"])
    if "already exists" in out:
        _run(h, [superset, "fab", "reset-password", "--username", ADMIN_USER, f"--password={password}"])
    _run(h, [superset, "init"])
    marker.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
    return True


# ----------------------------------------------------------------------------- dashboards

def _substitute(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, str):
        for key, value in values.items():
            node = node.replace(key, value)
        return node
    if isinstance(node, list):
        return [_substitute(v, values) for v in node]
    if isinstance(node, dict):
        return {k: _substitute(v, values) for k, v in node.items()}
    return node


def _chart_query_context(doc: dict[str, Any]) -> str | None:
    """Superset stores a chart's query context as a JSON string; the asset files only list the
    queries. The chart data API (GET /api/v1/chart/<id>/data/) needs it; the dashboard does not."""
    qc = doc.get("query_context")
    if qc is None or isinstance(qc, str):
        return qc
    params = doc["params"]
    queries = []
    for q in qc["queries"]:
        q = {"extras": {"having": "", "where": ""}, "annotation_layers": [], "applied_time_extras": {},
             "url_params": {}, "custom_params": {}, "custom_form_data": {}, "post_processing": [],
             "time_range": params.get("time_range", "No filter"), **q}
        queries.append(q)
    return json.dumps(
        {
            "datasource": {"id": 0, "type": "table"},  # set by the import
            "force": False,
            "queries": queries,
            "form_data": params,
            "result_format": qc.get("result_format", "json"),
            "result_type": qc.get("result_type", "full"),
        },
        ensure_ascii=False,
    )


def render_bundle(home: Home | Path | str | None = None, dest: Path | None = None) -> Path:
    """Render ``dashboards/assets/`` into an import zip for this data home.

    Substitutes ``{{ SERVING_DB }}`` in string values (after parsing the YAML, so any path is
    safe) and turns each chart's ``query_context`` into the JSON string Superset stores.
    """
    h = _home(home)
    serving = h.serving.resolve()
    if any(c in str(serving) for c in "?#%"):
        raise SupersetError(f"serving path {serving} contains ?, # or %: not usable in a DuckDB URI")
    dest = dest or h.superset_home / "bundle" / f"{_BUNDLE_ROOT}.zip"
    dest.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in ASSETS_DIR.rglob("*.yaml") if p.is_file())
    if not any(p.parent.name == "dashboards" for p in files):
        raise SupersetError(f"no dashboards in {ASSETS_DIR}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            doc = _substitute(doc, {SERVING_PLACEHOLDER: serving.as_posix()})
            if path.parent.name == "charts":
                doc["query_context"] = _chart_query_context(doc)
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            if SERVING_PLACEHOLDER in text:
                raise SupersetError(f"{path}: unrendered placeholder left")
            bundle.writestr(f"{_BUNDLE_ROOT}/{path.relative_to(ASSETS_DIR).as_posix()}", text)
    tmp = dest.with_suffix(".zip.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, dest)
    return dest


def publish_dashboards(home: Home | Path | str | None = None) -> dict[str, Any]:
    """Import the dashboards (with their database, datasets, charts), overwriting by UUID.

    Idempotent: a second run updates the same objects. Superset need not be running (the
    import writes the metadata DB directly). Returns the ids Superset gave the UUIDs:
    ``{"databases": {uuid: id}, "datasets": ..., "charts": ..., "dashboards": {uuid: {id, slug, title}}}``.
    """
    h = _home(home)
    bundle = render_bundle(h)
    out = _run(h, [_bin("python"), str(IMPORT_SCRIPT), str(bundle), "--username", ADMIN_USER])
    for line in out.splitlines():
        if line.startswith("ZTECO_IMPORT_RESULT "):
            result = json.loads(line.removeprefix("ZTECO_IMPORT_RESULT "))
            result["access"] = apply_access(h, bundle)
            return result
    raise SupersetError(f"import printed no result:\n{out[-2000:]}")


def apply_access(home: Home | Path | str | None = None, bundle: Path | None = None) -> dict[str, Any]:
    """Roles, row-level security and demo users of dashboards/access.yaml (after the bundle's import).

    Demo users ``city_leader`` and ``county_<code>`` exist only while ``ZTECO_DEMO_PASSWORD`` is set (taken
    from this process's environment); otherwise earlier ones are deactivated. Returns
    ``{"roles": [...], "filters": {name: {clause, datasets}}, "users": [...]}``.
    """
    h = _home(home)
    bundle = bundle or render_bundle(h)
    out = _run(h, [_bin("python"), str(ACCESS_SCRIPT), str(bundle), str(COUNTIES_SEED)])
    for line in out.splitlines():
        if line.startswith("ZTECO_ACCESS_RESULT "):
            return json.loads(line.removeprefix("ZTECO_ACCESS_RESULT "))
    raise SupersetError(f"access script printed no result:\n{out[-2000:]}")


# ----------------------------------------------------------------------------- server

class SupersetProcess(subprocess.Popen):
    """The gunicorn master (leader of its own process group), with where it listens."""

    url: str
    port: int
    startup_seconds: float
    log_path: Path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((host, port)) != 0


def _wait_for_health(proc: SupersetProcess, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2.0) as client:  # no proxy for 127.0.0.1
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SupersetError(f"Superset exited with {proc.returncode} while starting:\n"
                                    f"{_tail(proc.log_path)}")
            try:
                if client.get(f"{proc.url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
    raise SupersetError(f"Superset not healthy after {timeout:.0f} s:\n{_tail(proc.log_path)}")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_superset(
    home: Home | Path | str | None = None,
    port: int | None = None,
    *,
    workers: int | None = None,
    timeout: float = 120.0,
) -> SupersetProcess:
    """Start gunicorn serving Superset on 127.0.0.1 in its own process group; wait for /health.

    The caller owns the process: always ``stop_superset(proc)`` (also on failure).
    Logs go to ``$ZTECO_HOME/logs/superset.log``.
    """
    h = _home(home)
    port = port or int(os.environ.get("ZTECO_SUPERSET_PORT") or DEFAULT_PORT)
    workers = workers or int(os.environ.get("ZTECO_SUPERSET_WORKERS") or 2)
    if not port_is_free(port):
        raise SupersetError(f"port {port} on 127.0.0.1 is already in use")
    h.logs.mkdir(parents=True, exist_ok=True)
    log_path = h.logs / "superset.log"
    args = [
        _bin("gunicorn"),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", "4",
        "--timeout", "120",
        "--graceful-timeout", "10",
        "--limit-request-line", "0",
        "--limit-request-field_size", "0",
        "--access-logfile", "-",
        "superset.app:create_app()",
    ]
    started = time.monotonic()
    with log_path.open("ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start on port {port}\n".encode())
        log.flush()
        proc = SupersetProcess(
            args, env=superset_env(h), cwd=h.superset_home, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    proc.url, proc.port, proc.log_path = f"http://127.0.0.1:{port}", port, log_path
    try:
        _wait_for_health(proc, timeout)
    except BaseException:
        stop_superset(proc)
        raise
    proc.startup_seconds = time.monotonic() - started
    return proc


def stop_superset(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Stop the server's whole process group (gunicorn master and workers) and reap it."""
    stop_process_group(proc, timeout)


def process_group_rss(proc: subprocess.Popen) -> int:
    """Resident memory (bytes) of every process in the server's process group (Linux /proc)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != proc.pid:  # field 5 of stat: pgrp
                continue
            for line in (status.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


# ----------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    import click

    @click.group()
    def cli() -> None:
        """Superset for the Zhaotong eco-environment data platform."""

    @cli.command()
    def init() -> None:
        """Create/upgrade the metadata DB, the admin user and the roles (skipped when done)."""
        did = init_superset()
        click.echo("initialised" if did else "already initialised")

    @cli.command()
    def publish() -> None:
        """Import dashboards/assets/ into Superset (overwrite by UUID)."""
        init_superset()
        result = publish_dashboards()
        for d in result["dashboards"].values():
            click.echo(f"dashboard {d['title']} -> /superset/dashboard/{d['slug']}/")

    @cli.command()
    @click.option("--port", type=int, default=None, help="default $ZTECO_SUPERSET_PORT or 8088")
    def serve(port: int | None) -> None:
        """init + publish, then serve on 127.0.0.1 until interrupted."""
        init_superset()
        publish_dashboards()
        proc = start_superset(port=port)
        click.echo(f"Superset on {proc.url} (ready in {proc.startup_seconds:.1f} s, user {ADMIN_USER}); "
                   "Ctrl-C stops it")
        stop = {"now": False}

        def _stop(*_: Any) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)  # also when started in the background (SIGINT ignored)
        try:
            while not stop["now"] and proc.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop_superset(proc)

    try:
        cli.main(args=argv, prog_name="python -m orchestration.superset", standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except (click.ClickException, SupersetError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "ADMIN_USER", "SupersetError", "SupersetProcess", "get_admin_password", "get_secret_key",
    "init_superset", "main", "port_is_free", "process_group_rss", "publish_dashboards", "render_bundle",
    "start_superset", "stop_superset", "superset_env", "superset_version",
]

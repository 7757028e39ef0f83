"""Apply dashboards/access.yaml to Superset: roles, row-level-security filters, demo users.

Runs inside the Superset environment (``.venv-superset/bin/python``) after the bundle was imported, started
by ``orchestration/superset.py`` (``apply_access``) with the environment of ``superset_env``. Idempotent:
roles, filters and users are found by name and brought to the declared state (a filter's tables and clause
are replaced, a role's permissions are reset to Gamma's + the datasets').

Usage: python dashboards/apply_access.py BUNDLE.zip COUNTIES.csv
Prints one line ``ZTECO_ACCESS_RESULT {json}``: roles, filters (name → clause per dataset), users.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def load_spec() -> dict:
    return yaml.safe_load((HERE / "access.yaml").read_text(encoding="utf-8"))


def bundle_dataset_uuids(bundle: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as z:
        return sorted(
            str(yaml.safe_load(z.read(n))["uuid"])
            for n in z.namelist()
            if n.split("/")[1:2] == ["datasets"] and n.endswith(".yaml")
        )


def counties(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["area_level"] == "county"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("counties", type=Path)
    args = parser.parse_args(argv)
    spec = load_spec()
    dataset_uuids = bundle_dataset_uuids(args.bundle)
    county_rows = counties(args.counties)
    demo_password = os.environ.get(spec["demo_users"]["password_env"]) or None

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import db, security_manager
        from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable

        sm = security_manager
        datasets = db.session.query(SqlaTable).filter(SqlaTable.uuid.in_(dataset_uuids)).all()
        missing = set(dataset_uuids) - {str(d.uuid) for d in datasets}
        if missing:
            print(f"datasets of the bundle not in Superset (publish first): {sorted(missing)}", file=sys.stderr)
            return 2
        base = sm.find_role(spec["base_role"])
        if base is None:
            print(f"no role {spec['base_role']!r}: run `superset init` first", file=sys.stderr)
            return 2
        dataset_pvms = [sm.add_permission_view_menu("datasource_access", d.perm) for d in datasets]

        def role(name: str):
            r = sm.find_role(name) or sm.add_role(name)
            r.permissions = list({p.id: p for p in [*base.permissions, *dataset_pvms]}.values())
            return r

        result: dict = {"roles": [], "filters": {}, "users": []}
        leader = role(spec["city_leader_role"]["name"])
        result["roles"].append(leader.name)

        county_roles = {}
        for c in county_rows:
            fmt = {"county_code": c["area_code"], "county_name": c["area_name_zh"]}
            r = role(spec["county_role"]["name"].format(**fmt))
            county_roles[c["area_code"]] = (r, fmt)
            result["roles"].append(r.name)
            # one RLS filter per county and clause: datasets grouped by the clause they need
            by_clause: dict[str, list] = {}
            for d in datasets:
                names = {col.column_name for col in d.columns}
                column = next((k for k in spec["county_columns"] if k in names), None)
                clause = f"{column} = '{c['area_code']}'" if column else spec["no_county_clause"]
                by_clause.setdefault(clause, []).append(d)
            base_name = spec["rls_filter_name"].format(**fmt)
            wanted = {}
            for i, (clause, tables) in enumerate(sorted(by_clause.items())):
                wanted[f"{base_name}_{i + 1}"] = (clause, tables)
            existing = {
                f.name: f
                for f in db.session.query(RowLevelSecurityFilter)
                .filter(RowLevelSecurityFilter.name.like(f"{base_name}_%"))
                .all()
            }
            for name, f in existing.items():
                if name not in wanted:
                    db.session.delete(f)
            for name, (clause, tables) in wanted.items():
                f = existing.get(name) or RowLevelSecurityFilter(name=name)
                f.filter_type = "Regular"
                f.clause = clause
                f.group_key = None
                f.description = spec["county_role"]["description"].format(**fmt)
                f.roles = [r]
                f.tables = tables
                db.session.add(f)
                result["filters"][name] = {"clause": clause, "datasets": sorted(t.table_name for t in tables)}

        users = spec["demo_users"]
        demo = [(users["city_leader"], leader, {})] + [
            (users["county"], r, fmt) for r, fmt in county_roles.values()
        ]
        for u, r, fmt in demo:
            username = u["username"].format(**fmt)
            user = sm.find_user(username=username)
            if demo_password is None:
                if user is not None and user.active:
                    user.active = False
                    sm.update_user(user)
                continue
            if user is None:
                user = sm.add_user(
                    username,
                    u["first_name"].format(**fmt),
                    u["last_name"].format(**fmt),
                    f"{username}@localhost",
                    r,
                    password=demo_password,
                )
                if not user:
                    print(f"could not create user {username}", file=sys.stderr)
                    return 1
            else:
                user.roles = [r]
                user.active = True
                sm.update_user(user)
                sm.reset_password(user.id, demo_password)
            result["users"].append(username)
        db.session.commit()
        print("ZTECO_ACCESS_RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

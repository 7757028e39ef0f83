"""Import a rendered asset bundle into Superset, overwriting every object by UUID.

Runs inside the Superset environment (``.venv-superset/bin/python``), started by
``orchestration/superset.py`` (``publish_dashboards``) with the environment of ``superset_env``.

Why not ``superset import-dashboards``: that command overwrites the dashboard but imports its
database, datasets and charts with ``overwrite=False``, so a changed chart or dataset in
``dashboards/assets/`` would never reach an existing Superset. The assets importer used here
(the one behind ``POST /api/v1/assets/import/``) overwrites all of them, which is what
"dashboards as code" needs. The bundle has no ``type`` in metadata.yaml, so both accept it.

Usage: python dashboards/import_assets.py BUNDLE.zip [--username admin]
Prints one line ``ZTECO_IMPORT_RESULT {json}`` with the ids Superset gave the UUIDs.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
import zipfile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--username", default="admin")
    args = parser.parse_args(argv)

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import db, security_manager
        from superset.commands.exceptions import CommandInvalidError
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.connectors.sqla.models import SqlaTable
        from superset.models.core import Database
        from superset.models.dashboard import Dashboard
        from superset.models.slice import Slice
        from superset.utils.core import override_user

        user = security_manager.find_user(username=args.username)
        if user is None:
            print(f"no Superset user {args.username!r}: run init first", file=sys.stderr)
            return 2
        with zipfile.ZipFile(args.bundle) as bundle:
            contents = get_contents_from_bundle(bundle)
        try:
            with override_user(user):
                ImportAssetsCommand(contents).run()
        except CommandInvalidError as exc:
            print(f"invalid bundle: {json.dumps(exc.normalized_messages(), ensure_ascii=False)}", file=sys.stderr)
            return 1

        uuids = {"databases": set(), "datasets": set(), "charts": set(), "dashboards": set()}
        for name in contents:
            kind = name.split("/", 1)[0]
            if kind in uuids:
                import yaml

                uuids[kind].add(uuid.UUID(str(yaml.safe_load(contents[name])["uuid"])))

        def ids(model, kind):
            rows = db.session.query(model).filter(model.uuid.in_(uuids[kind])).all()
            return {str(r.uuid): r.id for r in rows}

        result = {
            "databases": ids(Database, "databases"),
            "datasets": ids(SqlaTable, "datasets"),
            "charts": ids(Slice, "charts"),
            "dashboards": {
                str(d.uuid): {"id": d.id, "slug": d.slug, "title": d.dashboard_title}
                for d in db.session.query(Dashboard).filter(Dashboard.uuid.in_(uuids["dashboards"])).all()
            },
        }
        print("ZTECO_IMPORT_RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``zteco world generate`` hook: simulate the solid-waste platform's database and its ground truth.

Writes ``world/solidwaste_platform/<table>.jsonl`` (every version the platform published by the
world's end: what ``platform_server`` serves), ``world/solidwaste_anomalies.csv`` and
``world/solidwaste_truth.csv`` and ``world/solidwaste_generators_truth.csv`` (generator → true enterprise; see ingestion/solidwaste/world.py and the issue-6 contract).
"""

from __future__ import annotations

import csv
from collections import Counter

from ingestion.common.home import Home
from ingestion.simulate.world import WorldConfig
from ingestion.solidwaste import world


def generate(cfg: WorldConfig, home: Home) -> dict:
    w = world.simulate(cfg)
    world.write(home, w)
    # which enterprise each platform generator really is (scores the cross-source enterprise matching)
    with (home.world / "solidwaste_generators_truth.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["record_key", "true_id", "credit_code", "county_code", "registered", "waste_types",
                      "registered_on", "closed_on", "general_isw_t_per_year", "has_compliant_storage",
                      "storage_checked_on"])
        for g in w.generators:
            out.writerow([g.key, g.e.true_id, g.e.credit_code, g.e.county_code, g.registered_on is not None,
                          g.waste_types, g.registered_on or "", g.e.closed or "", g.e.emissions_2017["isw_t"],
                          g.compliant_storage, g.storage_checked_on or ""])
    return {
        "generators": len({r["record_key"] for r in w.versions.get("generators", [])}),  # published by the end
        "unregistered_generators": sum(1 for g in w.generators if g.registered_on is None),
        "general_waste_only_generators": sum(1 for g in w.generators if g.isw_only),
        "manifests": len({r["record_key"] for r in w.versions.get("manifests", [])}),
        "versions": {t: len(w.versions.get(t, [])) for t in world.TABLES},
        "anomalies": dict(Counter(a["kind"] for a in w.anomalies)),
    }

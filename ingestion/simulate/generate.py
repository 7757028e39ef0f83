"""``zteco world generate``: one simulated world, every source simulator fed from it.

Each simulator writes what its real system would deliver into ``landing/`` (kept when already
there: landing is immutable and the world is deterministic) and its ground truth into ``world/``.
Add a source here when its simulator exists.
"""

from __future__ import annotations

import json

from ingestion.census import simulator as census
from ingestion.common.home import Home
from ingestion.counties import world as counties
from ingestion.lab import simulator as lab
from ingestion.monitoring import simulator as monitoring
from ingestion.permits import simulator as permits
from ingestion.simulate.world import WorldConfig
from ingestion.solidwaste import simulator as solidwaste
from ingestion.sources import simulator as sources
from ingestion.water import simulator as water


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Generate the world and feed every source's landing. Returns a summary per source."""
    summary = monitoring.generate(cfg, home)  # writes world/world.json and anomalies.csv
    summary["census"] = census.generate(cfg, home)
    summary["permits"] = permits.generate(cfg, home)
    summary["lab"] = lab.generate(cfg, home)
    summary["sources"] = sources.generate(cfg, home)
    summary["water"] = water.generate(cfg, home)
    summary["solidwaste"] = solidwaste.generate(cfg, home)
    summary["counties"] = counties.generate(cfg, home)
    world_json = home.world / "world.json"
    doc = json.loads(world_json.read_text(encoding="utf-8"))
    doc["summary"] = summary
    world_json.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary

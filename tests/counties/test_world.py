"""The county world: every bad-file kind of issue 7 is injected and listed in the truth; prefix-stable."""

from __future__ import annotations

import csv
from datetime import date

from ingestion.common.home import Home
from ingestion.counties import world
from ingestion.simulate.world import WorldConfig

ALL_KINDS = {
    "resubmission",
    "duplicate_upload",
    "wrong_folder",
    "empty_file",
    "not_spreadsheet",
    "invalid_figures",
    "sheet_renamed",
    "unit_changed",
    "county_alias",
    "old_template",
    "late",
}


def _rows(home: Home, name: str) -> list[dict]:
    with (home.world / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_kind_of_bad_file_is_in_the_world(county_world: Home) -> None:
    files = _rows(county_world, "county_files_truth.csv")
    kinds = {f["kind"] for f in files}
    assert ALL_KINDS <= kinds
    formats = {f["path"].rsplit(".", 1)[-1] for f in files}
    assert formats == {"xlsx", "csv"}
    # GBK and UTF-8 CSVs: a GBK file does not decode as UTF-8
    encodings = set()
    for f in files:
        if f["path"].endswith(".csv"):
            data = (county_world.root / f["path"]).read_bytes()
            try:
                data.decode("utf-8")
                encodings.add("utf-8")
            except UnicodeDecodeError:
                encodings.add("gbk")
    assert encodings == {"utf-8", "gbk"}


def test_a_file_mtime_is_its_arrival(county_world: Home) -> None:
    for f in _rows(county_world, "county_files_truth.csv")[:50]:
        st = (county_world.root / f["path"]).stat()
        assert world.from_epoch(st.st_mtime).isoformat(sep=" ") == f["arrival"]


def test_prefix_stable(tmp_path) -> None:
    short, long = Home(tmp_path / "short").ensure(), Home(tmp_path / "long").ensure()
    world.generate(WorldConfig(end=date(2020, 6, 30)), short)
    world.generate(WorldConfig(end=date(2020, 12, 31)), long)
    a = {f["path"]: f for f in _rows(short, "county_files_truth.csv")}
    b = {f["path"]: f for f in _rows(long, "county_files_truth.csv")}
    assert a and set(a) <= set(b)
    for path, f in a.items():
        assert f == b[path]
        assert (short.root / path).read_bytes() == (long.root / path).read_bytes()
    # the longer world only adds files that arrived after the shorter one's end
    assert all(f["arrival"] > "2020-06-30 23:59:59" for p, f in b.items() if p not in a)

"""`zteco receiver reconcile`: the reconciliation and the journal-vs-files check, with its exit code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ingestion.common.home import Home
from ingestion.receiver.store import REGISTRY_DIR, Conn, Store
from orchestration.cli import main
from tests.receiver.test_receiver_unit import air


def test_reconcile_prints_balance_and_fails_when_a_landing_line_has_no_journal_row(tmp_path: Path,
                                                                                    monkeypatch) -> None:
    home = Home(tmp_path).ensure()
    (home.landing / REGISTRY_DIR).mkdir(parents=True)
    (home.landing / REGISTRY_DIR / "air.csv").write_text("mn,pw\n53060200220000000000001,123456\n")
    monkeypatch.setenv("ZTECO_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    store = Store(home)
    conn = Conn("127.0.0.1:1")
    p1, p2 = air("20200102010000000", 1), air("20200102020000000", 2)
    store.commit([(conn, p1, 1.6e9), (conn, p1, 1.6e9), (conn, p2[:-9] + b"0000\r\n", 1.6e9)])
    store.close()

    res = CliRunner().invoke(main, ["receiver", "reconcile", "--all-rows"])
    assert res.exit_code == 0, res.output
    # p1 landed, its resend a duplicate, the damaged p2 quarantined: 3 = 1 + 1 + 1 on 2020-01-02
    assert "53060200220000000000001     2020-01-02           3         1            1           1  True" in res.output
    assert "1 landing lines (0 without a journal row" in res.output

    # a line that appears in the landing log without a journal row: the check fails
    [path] = home.landing.glob("monitoring/hj212/date=2020-01-02/recv-*.hj212")
    with path.open("ab") as f:
        f.write(p2)
    res = CliRunner().invoke(main, ["receiver", "reconcile"])
    assert res.exit_code == 1
    assert "(1 without a journal row" in res.output

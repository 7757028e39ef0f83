"""Receiver unit tests: framing of hand-built byte streams, authentication, the 9014 response, routing,
duplicates and crash recovery. Each test starts its own receiver on 127.0.0.1 (a free port) in a
temporary data home.

The reference packet is the HJ 212-2017 standard's own example (length 0101, CRC 1C80), sent by
MN 010000A8900016F000169DC0 with PW 100000 and Flag=5 (version 2017 + response wanted).
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import date
from pathlib import Path

import pytest

from ingestion.common.home import Home
from ingestion.hj212.codec import parse_packet
from ingestion.receiver.devices import run_blocking
from ingestion.receiver.server import Receiver
from ingestion.receiver.store import RECEIVER_DIR, REGISTRY_DIR, Conn, Store, read_journal, reconciliation

STD = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
STD_MN = "010000A8900016F000169DC0"


def packet(seg: str) -> bytes:
    """Frame a data segment (the CRC from the codec, itself checked against the standard's 1C80)."""
    from ingestion.hj212.codec import crc16

    b = seg.encode()
    return b"##%04d%s%04X\r\n" % (len(b), b, crc16(b))


def air(qn: str, hour: int, mn: str = "53060200220000000000001", pw: str = "123456", flag: int = 5) -> bytes:
    return packet(f"QN={qn};ST=22;CN=2061;PW={pw};MN={mn};Flag={flag};"
                  f"CP=&&DataTime=202001020{hour}0000;a34004-Avg=25.0,a34004-Flag=N&&")


@pytest.fixture()
def home(tmp_path: Path) -> Home:
    h = Home(tmp_path / "home").ensure()
    reg = h.landing / REGISTRY_DIR
    reg.mkdir(parents=True)
    (reg / "air_stations.csv").write_text(
        "station_code,mn,pw\nS1,53060200220000000000001,123456\nS2,53060200220000000000002,654321\n",
        encoding="utf-8")
    (reg / "sources.csv").write_text(f"mn,pw,outlet\n{STD_MN},100000,DA001\n", encoding="utf-8")
    return h


async def _session(home: Home, writes: list[bytes], *, pause: float = 0.05, wait_close: bool = False,
                   receiver: Receiver | None = None) -> tuple[bytes, bool]:
    """Send ``writes`` one write() each, collect the receiver's responses; True if it closed on us."""
    own = receiver is None
    rec = receiver or Receiver(home, "127.0.0.1", 0, linger=0)
    if own:
        await rec.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", rec.port)
    for w in writes:
        writer.write(w)
        await writer.drain()
        await asyncio.sleep(pause)
    got = b""
    closed = False
    try:
        while True:
            data = await asyncio.wait_for(reader.read(65536), timeout=1.0 if not wait_close else 3.0)
            if not data:
                closed = True
                break
            got += data
    except TimeoutError:
        pass
    writer.close()
    await asyncio.sleep(0.05)
    if own:
        await rec.stop()
    return got, closed


def run(home: Home, writes: list[bytes], **kw) -> tuple[bytes, bool]:
    return run_blocking(_session(home, writes, **kw))


def responses(data: bytes) -> list:
    return [parse_packet(line) for line in data.splitlines(keepends=True)]


def rejected(home: Home) -> list[dict]:
    out = []
    for p in sorted((home.landing / RECEIVER_DIR / "rejected").glob("date=*/*.jsonl")):
        out += [json.loads(x) for x in p.read_text().splitlines()]
    return out


def landed(home: Home) -> dict[str, bytes]:
    return {str(p.relative_to(home.landing)): p.read_bytes()
            for p in home.landing.glob("monitoring/**/date=*/recv-*.hj212")}


def test_standard_example_is_landed_and_answered_with_9014(home: Home) -> None:
    got, closed = run(home, [STD])
    assert not closed
    [resp] = responses(got)
    # HJ 212-2017 data response: same QN, PW and MN; ST=91, CN=9014, Flag=4, empty CP.
    seg = resp.raw[6:-6]
    assert seg == f"QN=20160801085857223;ST=91;CN=9014;PW=100000;MN={STD_MN};Flag=4;CP=&&&&"
    assert resp.raw[2:6] == "0087"  # 21+6+8+10+28+7+7 characters in that data segment
    files = landed(home)
    # ST=32 (wastewater source) without DataTime: sources root, folder of the arrival day.
    [(rel, data)] = files.items()
    assert rel.startswith(f"monitoring/sources/hj212/date={date.today().isoformat()}/recv-")
    assert data == STD


def test_split_coalesced_garbage_bad_crc_bad_length(home: Home) -> None:
    good = [air(f"2020010201000{i:02d}000", i) for i in range(1, 6)]
    bad_crc = good[0].replace(b"25.0", b"26.0")                     # data changed, CRC kept
    bad_len = b"##0999" + good[1][6:]                               # length field wrong
    stream = [
        good[0][:30], good[0][30:],                                 # one packet over two reads
        good[1] + good[2] + good[3],                                # three packets in one read
        b"\x00\xffNOISE!",                                          # garbage between packets
        bad_crc + bad_len + good[4][:10], good[4][10:],
    ]
    got, _ = run(home, stream)
    acked = sorted(r.qn for r in responses(got))
    assert acked == sorted(parse_packet(g).qn for g in good)
    assert all(r.cn == "9014" and r.st == "91" for r in responses(got))
    [(rel, data)] = landed(home).items()
    assert rel.startswith("monitoring/hj212/date=2020-01-02/recv-")
    assert data == b"".join(good)  # in arrival order, CR LF kept
    rules = sorted(r["rule"] for r in rejected(home))
    assert rules == ["bad_frame", "bad_length", "crc_mismatch"]
    noise = next(r for r in rejected(home) if r["rule"] == "bad_frame")
    assert noise["raw"] == "\\x00\\xffNOISE!" and noise["bytes"] == 8
    crc = next(r for r in rejected(home) if r["rule"] == "crc_mismatch")
    assert crc["mn"] == "53060200220000000000001"  # attributed to the device by its MN ...
    j = read_journal(home)
    days = [d for d, r in zip(j.column("day").to_pylist(), j.column("rule").to_pylist(), strict=True)
            if r == "crc_mismatch"]
    assert days == [date(2020, 1, 2)]  # ... and to its DataTime day
    # every byte accounted: landed + rejected bytes = bytes sent
    j = read_journal(home)
    assert sum(j.column("bytes").to_pylist()) == sum(map(len, stream))
    assert sorted(j.column("outcome").to_pylist()) == ["landed"] * 5 + ["quarantined"] * 3


def test_wrong_password_and_unknown_mn_are_rejected_then_connection_closed(home: Home) -> None:
    wrong = [air(f"2020010201000{i:02d}000", i, pw="000000") for i in range(1, 4)]
    got, closed = run(home, wrong, wait_close=True)
    assert got == b"" and closed
    assert [r["rule"] for r in rejected(home)] == ["bad_password"] * 3
    assert "connection closed after 3" in rejected(home)[-1]["reason"]
    assert landed(home) == {}
    unknown = air("20200102010000000", 1, mn="53069999999999999999999")
    got, closed = run(home, [unknown])
    assert got == b"" and not closed  # one failure: rejected, connection kept
    assert rejected(home)[-1]["rule"] == "unknown_mn"


def test_registry_reloaded_when_a_file_changes(home: Home) -> None:
    new_mn = "53062100220000000000009"

    async def scenario() -> tuple[bytes, bytes]:
        rec = Receiver(home, "127.0.0.1", 0, linger=0)
        rec.store.registry.check_every = 0
        await rec.start()
        before, _ = await _session(home, [air("20200102010000000", 1, mn=new_mn, pw="777777")], receiver=rec)
        (home.landing / REGISTRY_DIR / "water.csv").write_text(f"mn,pw\n{new_mn},777777\n", encoding="utf-8")
        after, _ = await _session(home, [air("20200102020000000", 2, mn=new_mn, pw="777777")], receiver=rec)
        await rec.stop()
        return before, after

    before, after = run_blocking(scenario())
    assert before == b""
    assert [r.qn for r in responses(after)] == ["20200102020000000"]


def test_no_response_without_flag_bit_a_and_routing_by_st(home: Home) -> None:
    p22 = air("20200102010000000", 1, flag=4)                       # no response wanted
    p21 = packet("QN=20200102010000000;ST=21;CN=2061;PW=654321;MN=53060200220000000000002;Flag=5;"
                 "CP=&&DataTime=20200103230000;w01001-Avg=7.2,w01001-Flag=N&&")
    p99 = packet("QN=20200102010000001;ST=39;CN=2061;PW=654321;MN=53060200220000000000002;Flag=5;"
                 "CP=&&DataTime=20200104000000;x-Avg=1&&")
    got, _ = run(home, [p22 + p21 + p99])
    assert sorted(r.qn for r in responses(got)) == ["20200102010000000", "20200102010000001"]
    roots = sorted(k.rsplit("/", 1)[0] for k in landed(home))
    assert roots == ["monitoring/hj212/date=2020-01-02", "monitoring/other/hj212/date=2020-01-04",
                     "monitoring/water/hj212/date=2020-01-03"]


def test_resend_is_acknowledged_journaled_as_duplicate_and_landed_once(home: Home) -> None:
    p = air("20200102010000000", 1)
    got, _ = run(home, [p, p])
    assert [r.qn for r in responses(got)] == ["20200102010000000"] * 2
    [data] = landed(home).values()
    assert data == p
    rows = reconciliation(home)
    assert rows == [{"mn": "53060200220000000000001", "day": date(2020, 1, 2), "received": 2, "landed": 1,
                     "quarantined": 0, "duplicates": 1, "balanced": True}]
    # a restarted receiver still knows it (the duplicate filter is warmed from the journal)
    got, _ = run(home, [p])
    assert [r.qn for r in responses(got)] == ["20200102010000000"]
    assert list(landed(home).values()) == [p]


def test_recovery_journals_orphan_lines_and_cuts_a_torn_tail(home: Home) -> None:
    first = Store(home)
    conn = Conn("127.0.0.1:1")
    p1, p2, p3 = (air(f"2020010201000{i:02d}000", i) for i in (1, 2, 3))
    outcomes, _ = first.commit([(conn, p1, 1.6e9)])
    assert outcomes[0].outcome == "landed"
    [path] = home.landing.glob("monitoring/hj212/date=2020-01-02/recv-*.hj212")
    # killed after appending p2 (fsynced, never journaled) and half of p3: no close(), lock released by death
    with open(path, "ab") as f:
        f.write(p2 + p3[:50])
    os.close(first._lock_fd)
    for a in first._files.values():
        os.close(a.fd)

    second = Store(home)
    assert second.recovered == {"boots": 1, "torn": 1, "orphans": 1}
    assert path.read_bytes() == p1 + p2  # the torn tail is cut ...
    torn = [r for r in rejected(home) if r["rule"] == "torn_write"]
    assert len(torn) == 1 and torn[0]["bytes"] == 50  # ... and kept in quarantine
    j = read_journal(home)
    rows = sorted(zip(j.column("landing_file").to_pylist(), j.column("landing_line").to_pylist(),
                      j.column("outcome").to_pylist(), j.column("rule").to_pylist(), strict=True))
    rel = str(path.relative_to(home.root))
    rej = f"landing/{RECEIVER_DIR}/rejected/date={date.today()}/{second.name}.jsonl"
    assert rows == sorted([(rej, 1, "quarantined", "torn_write"), (rel, 1, "landed", None),
                           (rel, 2, "landed", "recovered")])
    # the resent p2 and p3 after the restart: p2 is a duplicate, p3 lands
    outcomes, _ = second.commit([(conn, p2, 1.6e9), (conn, p3, 1.6e9)])
    assert [o.outcome for o in outcomes] == ["duplicate", "landed"]
    second.close()
    assert (home.landing / "monitoring/hj212/date=2020-01-02").joinpath(
        f"{second.name}.hj212").read_bytes() == p3


def test_recovery_of_the_rejected_file(home: Home) -> None:
    first = Store(home)
    conn = Conn("127.0.0.1:1")
    bad = air("20200102010000000", 1).replace(b"25.0", b"26.0")   # CRC mismatch
    outcomes, _ = first.commit([(conn, bad, 1.6e9)])
    assert outcomes[0].outcome == "quarantined"
    [path] = (home.landing / RECEIVER_DIR / "rejected").glob("date=*/recv-*.jsonl")
    line = path.read_bytes()
    # killed after the rejected file got a second record (never journaled) and half of a third
    with open(path, "ab") as f:
        f.write(line + line[:40])
    os.close(first._lock_fd)
    for a in first._rejected.values():
        os.close(a.fd)

    second = Store(home)
    assert second.recovered == {"boots": 1, "torn": 1, "orphans": 1}
    assert path.read_bytes() == line + line  # torn record cut ...
    j = read_journal(home)
    rows = sorted(zip(*(j.column(c).to_pylist() for c in ("landing_file", "landing_line", "rule", "day")),
                      strict=True))
    rel = str(path.relative_to(home.root))
    rej = f"landing/{RECEIVER_DIR}/rejected/date={date.today()}/{second.name}.jsonl"
    assert rows == sorted([(rel, 1, "crc_mismatch", date(2020, 1, 2)), (rel, 2, "crc_mismatch", date(2020, 1, 2)),
                           (rej, 1, "torn_write", date.today())])  # ... and quarantined again
    second.close()


def test_journal_batches_merged_at_close_without_loss_or_double(home: Home) -> None:
    store = Store(home)
    conn = Conn("127.0.0.1:1")
    for h in (1, 2, 3):
        store.commit([(conn, air(f"202001020{h}0000000", h), 1.6e9)])
    day_dir = next((home.lake / "ops/receiver_journal").glob("date=*"))
    assert len(list(day_dir.glob("*.parquet"))) == 3
    store.close()
    [merged] = day_dir.glob("*.parquet")
    assert merged.name == f"{store.name}-c000001-000003.parquet"
    assert read_journal(home).num_rows == 3
    # a crash between the merged file's rename and the batch files' removal: the next start removes them
    import pyarrow.parquet as pq
    pq.write_table(pq.read_table(merged).slice(1, 1), day_dir / f"{store.name}-000002.parquet")
    assert read_journal(home).num_rows == 4
    Store(home).close()
    assert read_journal(home).num_rows == 3


def test_a_batch_spanning_more_days_than_open_files(home: Home) -> None:
    from ingestion.receiver.verify import verify

    store = Store(home, max_open=2)   # at most 8 open landing files during a batch, 2 between batches
    conn = Conn("127.0.0.1:1")
    packets = [packet(f"QN=202001{d:02d}0{h}0000000;ST=22;CN=2061;PW=123456;MN=53060200220000000000001;Flag=5;"
                      f"CP=&&DataTime=202001{d:02d}0{h}0000;a34004-Avg=2{h}.0,a34004-Flag=N&&")
               for h in (1, 2) for d in range(1, 21)]
    outcomes, _ = store.commit([(conn, p, 1.6e9) for p in packets])
    assert [o.outcome for o in outcomes] == ["landed"] * 40
    outcomes, _ = store.commit([(conn, p, 1.6e9) for p in packets[:3]])
    assert [o.outcome for o in outcomes] == ["duplicate"] * 3
    store.close()
    for d in range(1, 21):
        [path] = home.landing.glob(f"monitoring/hj212/date=2020-01-{d:02d}/recv-*.hj212")
        assert path.read_bytes() == packets[d - 1] + packets[20 + d - 1]
    v = verify(home, packets)
    assert v.ok and v.landed_lines == 40 and v.acked_missing == 0


def test_bytes_of_an_unfinished_frame_at_disconnect_are_quarantined(home: Home) -> None:
    p1, p2 = air("20200102010000000", 1), air("20200102020000000", 2)
    got, _ = run(home, [p1 + p2[:70]])
    assert [r.qn for r in responses(got)] == ["20200102010000000"]
    [rec] = rejected(home)
    assert rec["bytes"] == 70 and rec["raw"] == p2[:70].decode()
    assert rec["rule"] in {"bad_frame", "bad_length"}
    j = read_journal(home)
    assert sum(j.column("bytes").to_pylist()) == len(p1) + 70

"""The permit-list loader on exports written here by hand (GBK, the platform's columns)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingestion.common import uscc
from ingestion.common.home import Home
from ingestion.permits import loader

A = uscc.make("530602", "12345678")
B = uscc.make("530621", "MA6K5Q8X")
C = uscc.make("530681", "87654321")
HEADER = "序号,单位名称,统一社会信用代码,许可证编号,所在地区,行业类别,管理类别,发证机关,发证日期,有效期限,状态,注销日期"
LINES = [
    f"1,昭通鑫源（集团）有限公司,{A},{A}001P,云南省昭通市昭阳区,水泥制造，锅炉,重点管理,昭通市生态环境局,2019-06-30,2019-06-30至2024-06-29,有效,",
    f"2,鲁甸恒达煤业有限责任公司,,{B}001W,云南省-昭通市-鲁甸县,烟煤和无烟煤开采洗选,登记管理,,2020/05/01,,有效,",
    f"3,水富宏泰化工有限公司,{C.lower()},{C}001P,昭通市水富县,有机化学原料制造,简化管理,昭通市生态环境局,2020年3月5日,,注销,2022-01-01",
    f"4,只有市名有限公司,{A},{A}002P,云南省昭通市,水泥制造,简化管理,,2020-01-01,,有效,",
    f"5,日期错误有限公司,{A},{A}003P,昭阳区,水泥制造,简化管理,,2020-02-30,,有效,",
    f"6,昭通鑫源（集团）有限公司,{A},{A}001P,云南省昭通市昭阳区,水泥制造，锅炉,重点管理,昭通市生态环境局,2019-06-30,2019-06-30至2024-06-29,有效,",
    f"7,另一家有限公司,{C},{A}001P,昭阳区,水泥制造,重点管理,,2019-07-01,,有效,",
    f"8,类别错误有限公司,{C},{C}009P,水富,水泥制造,特殊管理,,2019-07-01,,有效,",
    f"9,校验位错误有限公司,{A[:17]}0,,昭阳,水泥制造,简化管理,,2019-07-01,,有效,",
]


def write(home: Home, name: str, data: bytes) -> Path:
    path = home.landing / "permits" / "exports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture()
def home(tmp_path: Path) -> Home:
    return Home(tmp_path).ensure()


def test_gbk_export_every_line_accounted_for(home: Home):
    text = "\r\n".join([HEADER, *LINES]) + "\r\n"
    path = write(home, "permit-list-20211231.csv", text.encode("gbk"))
    res = loader.read_export(home, path, "L1")
    fl = res.file_load
    assert res.encoding == "gb18030" and res.export_date == date(2021, 12, 31)
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (9, 3, 5, 1) and fl.balanced
    assert res.duplicate_lines == [7]  # line 7 = row 序号 6 repeats row 1 (page overlap)
    rules = {q["line_no"]: q["rule"] for q in res.quarantine}
    assert rules == {5: "unknown_county", 6: "bad_date", 8: "conflicting_permit_no", 9: "unknown_category",
                     10: "missing_value"}
    reasons = {q["line_no"]: q["reason"] for q in res.quarantine}
    assert reasons[5].startswith("landing/permits/exports/permit-list-20211231.csv line 5: address '云南省昭通市'")
    assert "2020-02-30" in reasons[6] and "line 2" in reasons[8]
    rows = {r["line_no"]: r for r in res.rows}
    one, two, three = rows[2], rows[3], rows[4]
    assert one["credit_code"] == A and one["permit_credit_code"] == A and one["county_code"] == "530602"
    assert one["valid_to"] == date(2024, 6, 29) and one["industry_name"] == "水泥制造,锅炉"  # NFKC
    # blank credit code: kept, flagged; the permit number still carries the code
    assert two["credit_code"] is None and two["permit_credit_code"] == B and "missing_credit_code" in two["dq_flags"]
    assert two["issued_on"] == date(2020, 5, 1) and two["management_category"] == "登记管理"
    # lower-case code normalised; the old 水富县 resolves to 水富市; 注销 with its date
    assert three["credit_code"] == C and three["county_code"] == "530681" and three["status"] == "注销"
    assert three["issued_on"] == date(2020, 3, 5) and three["revoked_on"] == date(2022, 1, 1)


def test_load_writes_one_partition_per_export_and_replaces_it(home: Home):
    text = "\r\n".join([HEADER, *LINES[:3]]) + "\r\n"
    write(home, "permit-list-20211231.csv", text.encode("gbk"))
    write(home, "permit-list-20201231.csv", text.encode("utf-8"))  # someone re-saved it as UTF-8
    loads = loader.load_permits(home, "L1")
    assert [x.encoding for x in loads] == ["utf-8-sig", "gb18030"]
    loader.load_permits(home, "L2")
    part = home.lake / "permits" / "permit_list" / "export_date=2021-12-31"
    t = pq.read_table(part)
    assert t.num_rows == 3 and set(t.column("load_id").to_pylist()) == {"L2"}
    assert len(list(part.glob("*.parquet"))) == 1


def test_unreadable_file_is_quarantined_whole(home: Home):
    data = (HEADER + "\r\n").encode("gbk") + b"1,\xff\xfe\x80,x\r\n2,ok,y\r\n"
    path = write(home, "permit-list-20211231.csv", data)
    res = loader.read_export(home, path, "L1")
    assert res.file_load.received == 2 and res.file_load.quarantined == 2 and res.file_load.loaded == 0
    assert {q["rule"] for q in res.quarantine} == {"bad_encoding"}
    assert "neither UTF-8 nor GBK" in res.quarantine[0]["reason"]


def test_missing_column_quarantines_every_line(home: Home):
    text = "序号,单位名称,许可证编号\r\n1,甲公司,X001P\r\n"
    res = loader.read_export(home, write(home, "permit-list-20211231.csv", text.encode("gbk")), "L1")
    assert [q["rule"] for q in res.quarantine] == ["missing_column"]
    assert "region" in res.quarantine[0]["reason"]


def test_export_name_must_carry_the_day(home: Home):
    with pytest.raises(ValueError, match="permit-list-YYYYMMDD"):
        loader.read_export(home, write(home, "export.csv", b""), "L1")

"""GB 32100-2015 unified social credit code: real published codes and hand-worked check characters."""

from __future__ import annotations

import pytest

from ingestion.common import uscc

# Codes printed on real business licences (public company filings).
REAL = ["914403001922038216", "9144030071526726XG", "91330100716105852F", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code):
    assert uscc.problem(code) is None


def test_check_character_worked_by_hand():
    # 91440300192203821: values 9,1,4,4,0,3,0,0,1,9,2,2,0,3,8,2,1 · weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28
    # = 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831; 831 mod 31 = 25; 31-25 = 6 → '6'
    assert uscc.check_char("91440300192203821") == "6"
    assert uscc.WEIGHTS[:5] == [1, 3, 9, 27, 19]


def test_problems_name_the_fault():
    assert "check character is 7" in uscc.problem("914403001922038217")
    assert "17 characters" in uscc.problem("91440300192203821")
    assert "'O'" in uscc.problem("9144030019220382O6")
    assert uscc.problem("") == "credit code is empty"


def test_make_builds_valid_codes_with_a_gb11714_org_code():
    code = uscc.make("530602", "12345678")
    assert uscc.is_valid(code) and code[2:8] == "530602"
    # GB 11714: 1*3+2*7+3*9+4*10+5*5+6*8+7*4+8*2 = 201; 201 mod 11 = 3; 11-3 = 8
    assert code[16] == "8"

"""County spellings → codes through the alias seed (dbt_project/seeds/county_aliases.csv)."""

import pytest

from ingestion.common import areas


@pytest.mark.parametrize("value, code", [
    ("昭阳", "530602"), ("昭阳区", "530602"), ("Zhaoyang", "530602"), (" zhaoyang district ", "530602"),
    (530602, "530602"), (530602.0, "530602"), ("530602", "530602"), ("５３０６０２", "530602"),
    ("水富县", "530681"), ("530630", "530681"), ("云南省昭通市昭阳区", "530602"), ("云南省-昭通市-水富县", "530681"),
    ("昭通市鲁甸县", "530621"), ("Ludian County", "530621"),
])
def test_spellings_resolve(value, code):
    assert areas.county_code(value) == code


@pytest.mark.parametrize("value", ["昭通市", "云南省昭通市", "530600", "昭扬区", "", None, "昆明市五华区"])
def test_the_city_or_an_unknown_name_is_no_county(value):
    assert areas.county_code(value) is None


def test_the_city_is_an_area():
    assert areas.area_code("昭通市") == "530600"

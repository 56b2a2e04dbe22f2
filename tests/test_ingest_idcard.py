from datetime import date, datetime

import pytest

from dpf.ingest.idcard import CertificateError, check_char, parse_certificate
from dpf.ingest.values import CellError, parse_amount, parse_day, parse_month
from tests.ingest_helpers import bad_check, cert

TODAY = date(2024, 6, 15)


def test_check_character_matches_gb11643_example():
    # The standard's worked example: 11010519491231002X.
    assert check_char("11010519491231002") == "X"


def test_valid_certificate_gives_sex_birth_category_grade():
    number = cert(5, category=6, grade=2, female=True)
    parsed = parse_certificate(number)
    assert (parsed.sex, parsed.birth_year, parsed.category, parsed.grade) == ("女", 1970, 6, 2)
    assert parse_certificate(" " + number.lower() + " ").number == number
    assert parse_certificate(cert(6)).sex == "男"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (bad_check(cert(1)), "校验位"),
        (cert(1)[:19], "20 位"),
        ("99000119700231001" + check_char("99000119700231001") + "41", "出生日期"),
        (cert(1)[:18] + "81", "残疾类别"),
        (cert(1)[:18] + "45", "残疾等级"),
        (12345678901234567890, "数字"),
        ("", "为空"),
    ],
)
def test_invalid_certificates_say_why(value, reason):
    with pytest.raises(CertificateError, match=reason):
        parse_certificate(value)


@pytest.mark.parametrize("value", ["2024-03", "2024年3月", "2024/3/1", "2024.03", datetime(2024, 3, 9), 45360])
def test_month_formats(value):
    assert parse_month(value, TODAY) == date(2024, 3, 1)


def test_future_month_and_day_rejected():
    with pytest.raises(CellError, match="未来"):
        parse_month("2024-07", TODAY)
    with pytest.raises(CellError, match="未来"):
        parse_day("2024-06-16", TODAY)
    with pytest.raises(CellError, match="真实"):
        parse_day("2024-02-30", TODAY)
    with pytest.raises(CellError, match="精确到日"):
        parse_day("2024年3月", TODAY)
    assert parse_day("2024年3月5日", TODAY) == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("value", "reason"), [("-80", "大于 0"), ("0", "大于 0"), ("12.345", "两位小数"), ("abc", "数字")]
)
def test_bad_amounts(value, reason):
    with pytest.raises(CellError, match=reason):
        parse_amount(value)


def test_amounts():
    assert str(parse_amount("1,200.5")) == "1200.50"
    assert str(parse_amount(80.0)) == "80.00"

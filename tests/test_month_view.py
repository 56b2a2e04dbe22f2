"""The month view (期间 ?month=2024-01): a month's figures with 环比 and 同比, 本月新增 against 在册, a month without
rows (—, never 0), a month not complete yet, a township account's month, and the 2023 demo months adding up to
the year.

The hand-made set (as-of 15 February 2024, townships A and B):
  nursing subsidy (100元 a month): p1 (A) December 2023, January and February 2024; p2 (B) January 2023 and January
    2024 — so January 2024: 2人次 200元, 环比 December 2023 1人次, 同比 January 2023 1人次; February: 1人次 (在册)
  entrepreneurship (3,000元): p1 January and February 2024, p2 February 2024 — 本月新增 January 1, February 1 (p2;
    p1 was first paid in January), though February paid two persons
  job registration: p1 10 January and 5 February 2024, p2 20 January 2023 — services have no rows in December 2023
  no payments in February 2023 and nothing at all in June 2023
"""

from __future__ import annotations

from datetime import date

import pytest

from dpf.data.db import open_extracts
from dpf.figures.indicators import compute_indicators
from dpf.figures.period import Period, months_offered, parse_month_key, period_for
from tests.apptest_helpers import metric_values, no_exception, rerun, run_page, with_accounts
from tests.extract_builder import A, B, payment, person, service, town, write_set

AS_OF = date(2024, 2, 15)


def nursing(pid: str, key: str, township: str, period: str) -> dict:
    return payment(pid, "nursing_subsidy", period, 100, person=key, township=township)


def startup(pid: str, key: str, township: str, period: str) -> dict:
    return payment(pid, "entrepreneurship", period, 3000, person=key, township=township)


TABLES = {
    "townships": [town(A, "城关街道", "街道", 1), town(B, "龙山镇", "镇", 2)],
    "persons": [person("p1", A), person("p2", B)],
    "payments": [
        nursing("n1", "p1", A, "2023-12-01"),
        nursing("n2", "p1", A, "2024-01-01"),
        nursing("n3", "p1", A, "2024-02-01"),
        nursing("n4", "p2", B, "2023-01-01"),
        nursing("n5", "p2", B, "2024-01-01"),
        startup("e1", "p1", A, "2024-01-01"),
        startup("e2", "p1", A, "2024-02-01"),
        startup("e3", "p2", B, "2024-02-01"),
    ],
    "services": [
        service("s1", "job_registration", "2024-01-10", person="p1", township=A),
        service("s2", "job_registration", "2024-02-05", person="p1", township=A),
        service("s3", "job_registration", "2023-01-20", person="p2", township=B),
    ],
    "rehab_needs": [],
}


@pytest.fixture(scope="module")
def month_dir(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("month") / "set", TABLES, AS_OF)


@pytest.fixture(scope="module")
def extracts(month_dir):
    return open_extracts(month_dir)


def figures(extracts, year: int, month: int | None, townships=()) -> dict[str, tuple]:
    frame = compute_indicators(extracts, year, list(townships), month=month).set_index("indicator")
    return {
        code: tuple(None if row[c] is None or row[c] != row[c] else row[c] for c in ("value", "prior", "previous"))
        for code, row in frame.iterrows()
    }


# (year, month, indicator, value, 环比 base (the month before), 同比 base (the same month a year earlier))
MONTH_FIGURES = [
    # January against December of the year before, and against January 2023
    (2024, 1, "nursing_subsidy_person_times", 2, 1, 1),
    (2024, 1, "nursing_subsidy_amount", 200, 100, 100),
    # 在册: February's persons on the roll, one row a person a month
    (2024, 2, "nursing_subsidy_person_times", 1, 2, None),  # no payments at all in February 2023: 同比 unknown
    # 本月新增: February pays p1 and p2, but only p2 is new this year
    (2024, 1, "entrepreneurship_persons", 1, 0, 0),
    (2024, 2, "entrepreneurship_persons", 1, 1, None),
    (2024, 2, "entrepreneurship_amount", 6000, 3000, None),
    # the services table has no rows in December 2023 or in February 2023: 环比 / 同比 unknown, not 0
    (2024, 1, "job_registrations", 1, None, 1),
    (2024, 2, "job_registrations", 0, 1, None),
    # a month without any rows: every flow unknown; the certified persons are a stock, counted at the month's end
    (2023, 6, "nursing_subsidy_person_times", None, None, None),
    (2023, 6, "job_registrations", None, None, None),
    (2023, 6, "certified_persons", 2, None, 2),
]


@pytest.mark.parametrize(("year", "month", "code", "value", "prior", "previous"), MONTH_FIGURES)
def test_a_months_figure_with_its_changes(extracts, year, month, code, value, prior, previous):
    got_value, got_prior, got_previous = figures(extracts, year, month)[code]
    assert got_value == value
    if code != "certified_persons":  # a stock has no 环比 column worth testing here
        assert got_prior == prior
    assert got_previous == previous


def test_a_township_month_holds_only_its_rows(extracts):
    assert figures(extracts, 2024, 1, [B])["nursing_subsidy_person_times"] == (1, 0, 1)  # p2; none in December
    assert figures(extracts, 2024, 2, [A])["entrepreneurship_persons"][0] == 0  # p1 is not new in February


def test_the_year_so_far_has_no_month_and_no_prior(extracts):
    frame = compute_indicators(extracts, 2024).set_index("indicator")
    assert frame.loc["entrepreneurship_persons", "value"] == 2  # p1 and p2, each once
    assert frame["prior"].isna().all() and frame["month"].isna().all()


# --- the period's words and its offered months ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "as_of", "label", "partial"),
    [
        (Period(2024, 6), date(2024, 6, 15), "2024年6月（截至6月15日）", True),
        (Period(2024, 6), date(2024, 6, 30), "2024年6月", False),
        (Period(2024, 2), date(2024, 9, 30), "2024年2月", False),
        (Period(2024), date(2024, 9, 30), "2024年", False),
        (Period(2023), date(2024, 9, 30), "2023年全年", False),
    ],
)
def test_period_label(period, as_of, label, partial):
    assert period.label(as_of) == label
    assert period.is_partial(as_of) is partial


@pytest.mark.parametrize(
    ("period", "prior"),
    [(Period(2024, 1), Period(2023, 12)), (Period(2024, 7), Period(2024, 6)), (Period(2024, 12), Period(2024, 11))],
)
def test_prior_month(period, prior):
    assert period.prior() == prior


@pytest.mark.parametrize(
    ("year", "as_of", "months"),
    [
        (2024, date(2024, 6, 15), [1, 2, 3, 4, 5, 6]),
        (2023, date(2024, 6, 15), list(range(1, 13))),
        (2025, date(2024, 6, 15), []),
    ],
)
def test_months_offered_end_at_the_as_of_month(year, as_of, months):
    assert months_offered(year, as_of) == months


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-6", "六月", "2024/06", ""])
def test_a_malformed_month_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="月份应写作 年-月"):
        parse_month_key(text)


def test_a_month_after_the_as_of_month_is_refused():
    with pytest.raises(ValueError, match="数据截至日（2024年6月15日）之后"):
        period_for(2024, "2024-07", date(2024, 6, 15))
    assert period_for(2024, "2024-06", date(2024, 6, 15)) == Period(2024, 6)
    assert period_for(2024, None, date(2024, 6, 15)) == Period(2024)


# --- the page ------------------------------------------------------------------------------------------------


def caption(at) -> str:
    return next(m.value for m in at.markdown if "范围：" in m.value)


def test_a_partial_month_says_so_in_the_header_and_cards_carry_both_changes(month_dir):
    at = run_page(month_dir, None, {"month": "2024-02"})
    assert no_exception(at)
    assert "2024年2月（截至2月15日）" in caption(at)
    assert at.selectbox(key="period").value == 2
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    assert cards["护理补贴人次（本月在册）"] == ("1人次", "环比 -50.0%")  # February 2023 has no payments: no 同比


@pytest.mark.parametrize(
    ("query", "period", "url"),
    [
        ({"month": "2024-13"}, None, None),  # malformed: the year so far, and the URL cleaned
        ({"month": "2024-03"}, None, None),  # after the as-of month
        ({"year": "2023", "month": "2024-01"}, 1, "2023-01"),  # another year's month: the same month of this year
        ({"month": "2024-01"}, 1, "2024-01"),
    ],
)
def test_the_url_month(month_dir, query, period, url):
    at = run_page(month_dir, None, query)
    assert no_exception(at)
    box = at.selectbox(key="period")
    assert box.value == (period or 0)  # 0: the widget's 年初至今 (None would show as nothing chosen)
    assert box.options[:2] == ["年初至今", "1月"]
    assert at.query_params.get("month") == url


def test_choosing_a_month_in_the_sidebar_changes_the_cards_and_the_url(month_dir):
    at = run_page(month_dir, None, {})
    assert "范围：全县" in caption(at) and "2024年" in caption(at)
    at.selectbox(key="period").set_value(1)
    rerun(at, month_dir)
    assert "2024年1月" in caption(at)
    assert metric_values(at)["护理补贴人次（本月在册）"] == "2人次"
    assert at.query_params["month"] == "2024-01"


def test_a_township_accounts_month_view_holds_only_its_township(month_dir, monkeypatch, tmp_path):
    with_accounts(monkeypatch, tmp_path, head=("township", (B,)))
    at = run_page(month_dir, None, {"month": "2024-01"}, account="head")
    assert no_exception(at)
    assert "范围：龙山镇" in caption(at)
    assert metric_values(at)["护理补贴人次（本月在册）"] == "1人次"  # p2 only; 城关街道's p1 is not counted


# --- the demo's months add up to its year ----------------------------------------------------------------------


def test_the_2023_demo_months_add_up_to_the_reports_year_figures(demo):
    year = compute_indicators(demo, 2023).set_index("indicator")
    months = [compute_indicators(demo, 2023, month=m).set_index("indicator") for m in range(1, 13)]
    flows = [code for code, row in year.iterrows() if row["unit"] != "%" and code != "certified_persons"]
    for code in flows:
        assert sum(m.loc[code, "value"] for m in months) == pytest.approx(year.loc[code, "value"]), code
    # the report's own figures, month by month
    assert sum(m.loc["nursing_subsidy_person_times", "value"] for m in months) == 46197
    assert sum(m.loc["living_subsidy_person_times", "value"] for m in months) == 96895
    assert sum(m.loc["psychiatric_medication_persons", "value"] for m in months) == 1053
    assert sum(m.loc["training_person_times", "value"] for m in months) == 124


@pytest.mark.parametrize(
    ("month", "as_of", "through"),
    [(1, date(2024, 2, 15), date(2024, 1, 31)), (2, date(2024, 2, 15), date(2024, 2, 15)), (None, AS_OF, AS_OF)],
)
def test_a_month_views_trends_and_targets_run_to_the_months_end(month, as_of, through):
    from ui.context import View

    view = View("folder", "stamp", 2024, (A,), ("城关街道",), as_of, "demo", True, None, month=month)
    year_so_far = view.through_month_end()
    assert (year_so_far.month, year_so_far.as_of) == (None, through)
    assert view.trend_params() == {"year": 2024, "townships": [A], "as_of": through, "month": None}
    assert view.scope_params()["month"] == month


def test_a_month_views_coverage_and_its_alert_speak_of_that_month(month_dir, extracts):
    from dpf.narrative.facts import collect_for_extracts
    from ui.context import View

    view = View(str(month_dir), "stamp", 2024, (), (), AS_OF, "demo", True, None, month=1)
    assert view.coverage_params()["month"] == 1  # not the as-of month (February)
    assert View(str(month_dir), "stamp", 2024, (), (), AS_OF, "demo", True, None).coverage_params()["month"] == 2
    assert collect_for_extracts(extracts, 2024, month=1).coverage_month == 1

"""A hand-made county of two townships for the 应补尽补 tests (tests/test_coverage.py, tests/test_page_coverage.py).

June 2024. 城关街道 (A): n1 一级 paid twice in June (a back payment: once), n2 二级 paid in May only, n3 三级 paid in
June, n4 一级 certified in July (left out of a set as of June). 龙山镇 (B): n5 一级 cancelled 15 June but paid in June, n6
二级 certified on 30 June and paid, n7 一级 cancelled on 30 June (not certified that day).
Hardship: n1, n2, n5 true; n3 unknown but paid 生活补贴 in June; n6 false.
"""

from __future__ import annotations

from datetime import date

from tests.extract_builder import ABSENT, A, B, payment, person, town

AS_OF = date(2024, 9, 30)
FLAGS = {"n1": True, "n2": True, "n3": None, "n4": None, "n5": True, "n6": False, "n7": None}


def tables(with_flags: bool, as_of: date = AS_OF) -> dict[str, list[dict]]:
    """The county's tables (with the optional hardship column or without it), nothing dated after `as_of`."""

    def who(key, township, grade, certified="2010-01-01", cancelled=None):
        flag = FLAGS[key] if with_flags else ABSENT
        return person(key, township, certified, cancelled, grade=grade, hardship=flag)

    def paid(pid, program, key, township, period="2024-06-01"):
        return payment(pid, program, period, 100, person=key, township=township)

    found = {
        "townships": [town(A, "城关街道", "街道", 1), town(B, "龙山镇", "镇", 2)],
        "persons": [
            who("n1", A, 1),
            who("n2", A, 2),
            who("n3", A, 3),
            who("n4", A, 1, certified="2024-07-01"),
            who("n5", B, 1, cancelled="2024-06-15"),
            who("n6", B, 2, certified="2024-06-30"),
            who("n7", B, 1, cancelled="2024-06-30"),
        ],
        "payments": [
            paid("c1", "nursing_subsidy", "n1", A),
            paid("c1b", "nursing_subsidy", "n1", A),  # 补发 in the same month
            paid("c2", "nursing_subsidy", "n2", A, "2024-05-01"),
            paid("c3", "nursing_subsidy", "n3", A),
            paid("c4", "nursing_subsidy", "n4", A, "2024-07-01"),
            paid("c5", "nursing_subsidy", "n5", B),
            paid("c6", "nursing_subsidy", "n6", B),
            paid("l1", "living_subsidy", "n1", A),
            paid("l3", "living_subsidy", "n3", A),
            paid("l5", "living_subsidy", "n5", B),
        ],
        "services": [],
        "rehab_needs": [],
    }
    late = {row["person_key"] for row in found["persons"] if row["certified_on"] > as_of}
    found["persons"] = [row for row in found["persons"] if row["person_key"] not in late]
    found["payments"] = [row for row in found["payments"] if row["person_key"] not in late]
    return found

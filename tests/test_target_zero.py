"""A target of 0 for a count (legal in the contract, meaningless as a goal) is said as such, never a crash."""

from __future__ import annotations

import pytest

from dpf.data.db import open_extracts
from dpf.exports.brief import brief_for, brief_markdown
from dpf.exports.deck import deck_for
from dpf.narrative.facts import collect_for_extracts
from dpf.narrative.sentences import target_sentences
from tests.apptest_helpers import no_exception, run_page
from tests.extract_builder import target, write_set
from tests.narrative_fixture import AS_OF, TABLES


@pytest.fixture(scope="module")
def zero_target_set(tmp_path_factory):
    tables = {**TABLES, "targets": [*TABLES["targets"][1:], target("entrepreneurship_persons", 0)]}
    tables["targets"] = [t for t in tables["targets"] if t["indicator"] != "accessibility_households"]
    tables["targets"].append(target("accessibility_households", 0))
    return write_set(tmp_path_factory.mktemp("zero"), tables, AS_OF)


def test_a_target_of_zero_is_said_without_a_completion(zero_target_set):
    texts = [s.text for s in target_sentences(collect_for_extracts(open_extracts(zero_target_set), 2024))]
    assert "无障碍改造1户（年度目标为0户，不计完成率）。" in texts  # the one household done, no 完成率 of x/0
    assert "扶持残疾人就业创业3个（年度目标为0个，不计完成率）。" in texts  # counted in the plan's 个


def test_the_brief_and_deck_are_built_with_a_target_of_zero(zero_target_set):
    text = brief_markdown(brief_for(open_extracts(zero_target_set), 2024, []))
    assert "| 无障碍改造 | 0户 | 1户 | — | 49.7% | 无目标 |" in text  # no 完成率, the status says why
    assert "无障碍改造：对照年度目标" not in text  # nothing said to be still needed
    deck = deck_for(open_extracts(zero_target_set), 2024, [])
    assert deck.slides[1].title == "年度目标完成情况"


def test_the_targets_page_shows_a_target_of_zero_without_an_error(zero_target_set):
    at = run_page(zero_target_set, "targets.py")
    assert no_exception(at)

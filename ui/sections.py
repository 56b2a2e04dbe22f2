"""A page's sections in one table: each one's label, what it needs computed and the function that draws it.

A page lists its sections once (`Sections`); the tabs, the prefetch of the chosen section's queries and the call
of its drawing function all come from that table, so there is no second list of labels to fall out of step with
the first. `Sections.open` draws the tabs (none for a page of one section) and starts the chosen section's
queries in the background; `Sections.show` draws the page's cards meanwhile and then the chosen section.
A page meant to be read from top to bottom (数据状况, 数据导入) lists its parts the same way and draws them all,
without tabs, with `Sections.show_all`.

`context` is what the page's drawing functions take: the View for most pages, or a page's own object with the
view and the page-wide choices (such as the programme chosen on 资金发放) that the queries' parameters depend on.

A section names each query it reads once, as a `Query` of its table; its drawing function then takes the frames
too, `draw(context, frames)`, and reads `frames["NAME"]` — the very query the table started early, with the same
parameters (run when it is read, so a section that stops early, e.g. on an unusable table, runs none). A section
without a `Query` is drawn as `draw(context)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dpf.contract.catalogue import INDICATOR_BY_CODE
from dpf.numbers import number_or_none
from ui.briefing import briefing_on
from ui.briefing_frame import CARD_ROW_PX, register_topics, reserve, topic_cards
from ui.context import View, current_view

if TYPE_CHECKING:
    import pandas as pd

C = TypeVar("C")


def tables_ready(view: View, *tables: str) -> bool:
    """True when the tables a section reads can be used; else the section says why, where it is, in Chinese."""
    problem = view.table_problem(*tables)
    if problem:
        st.warning(problem, icon=":material/warning:")
    return problem is None


def section_heading(view: View, title: str, *tables: str) -> bool:
    """The section's heading (none in 简报模式: the title block names the topic and each chart says what it shows);
    then, as `tables_ready`, whether the tables it reads can be used."""
    if not view.briefing:
        st.header(title, anchor=False)
    return tables_ready(view, *tables)


def has_content(view: View, codes: Sequence[str] | None) -> bool:
    """Whether a 简报模式 topic about `codes` has something to show for the view's scope: a topic naming no indicator
    always has; else one of its indicators has a figure other than 0 or cannot be read (the frame says why). A
    county-level count (招聘会, 集中评残 …) has nothing to show for a township: its cards would read 县级活动."""
    if not codes or view.problem:
        return True
    try:
        indicators = view.indicators().set_index("indicator")
    except Exception:  # the frame itself says what is wrong
        return True
    for code in codes:
        if code not in indicators.index:
            continue
        if view.township_codes and code in INDICATOR_BY_CODE and INDICATOR_BY_CODE[code].county_level:
            continue
        row = indicators.loc[code]
        if isinstance(row.get("problem"), str) or number_or_none(row["value"]):
            return True
    return False


def _current_view() -> View | None:
    try:
        return current_view()
    except KeyError:  # a page run outside dashboard.py: every topic is offered
        return None


def no_params(context: object) -> dict[str, Any]:
    """The arguments of a query without parameters (such as queries/table_coverage.sql)."""
    return {}


@dataclass(frozen=True)
class Query(Generic[C]):
    """queries/NAME.sql as the section calls view.query for it: `params(context)` gives the very same arguments
    (none by default)."""

    name: str
    params: Callable[[C], dict[str, Any]] = no_params

    def prefetch(self, view: View, context: C) -> None:
        view.prefetch(self.name, **self.params(context))


@dataclass(frozen=True)
class MonthEnds(Generic[C]):
    """Every indicator's month-end values in `year(context)` (View.cumulative; a year of None: not needed)."""

    year: Callable[[C], int | None]

    def prefetch(self, view: View, context: C) -> None:
        year = self.year(context)
        if year is not None:
            view.prefetch_cumulative(year)


@dataclass(frozen=True)
class CountyIndicators:
    """The whole county's indicators (View.county_indicators), a township's benchmark; nothing when no township is
    chosen (they are then the view's own indicators)."""

    def prefetch(self, view: View, context: object) -> None:
        view.prefetch_county_indicators()


Need = Query[C] | MonthEnds[C] | CountyIndicators
Cards = Callable[[C], None] | None  # what a page draws above its sections: its cards, given the context
First = Callable[[], None] | None  # what a page placed above its cards (its 要点), drawn once the queries started
Place = DeltaGenerator | None  # where the cards go (None: just above the tabs)


def queries_of(needs: Sequence[Need[C]]) -> tuple[Query[C], ...]:
    return tuple(need for need in needs if isinstance(need, Query))


class Frames(Mapping[str, "pd.DataFrame"], Generic[C]):
    """The results of a section's declared queries by name, each run (through the view's cache) when first read."""

    def __init__(self, view: View, context: C, queries: Sequence[Query[C]]) -> None:
        self._view, self._context = view, context
        self._queries = {query.name: query for query in queries}

    def __getitem__(self, name: str) -> pd.DataFrame:
        query = self._queries.get(name)
        if query is None:
            raise KeyError(f"the section declares no Query({name!r}); it declares {list(self._queries)}")
        return self._view.query(name, **query.params(self._context))

    def only(self) -> pd.DataFrame:
        """The result of a section's one query."""
        if len(self._queries) != 1:
            raise KeyError(f"the section declares {list(self._queries)}, not one query")
        return self[next(iter(self._queries))]

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


@dataclass(frozen=True)
class Section(Generic[C]):
    """One tab of a page: its label, the function that draws it and what it computes (started before the cards).
    `cards`: the indicator cards of its 简报模式 frame (None: the page's own cards, for a page whose cards are few);
    `about`: the indicators its frame's 要点 speak of, when not its cards (a full ranking takes the room of cards);
    `slide`: False for a section that is never a 简报模式 topic (访问记录, an administrator's log)."""

    label: str
    draw: Callable[..., None]  # draw(context, frames) when it declares a Query, else draw(context)
    needs: tuple[Need[C], ...] = ()
    cards: tuple[str, ...] | None = None
    about: tuple[str, ...] = ()
    slide: bool = True

    @property
    def codes(self) -> tuple[str, ...] | None:
        """The indicators the topic's 要点 speak of: its `about`, else its cards'."""
        return self.about or self.cards

    def prefetch(self, view: View, context: C) -> None:
        for need in self.needs:
            need.prefetch(view, context)

    @property
    def queries(self) -> tuple[Query[C], ...]:
        return queries_of(self.needs)

    def show(self, view: View, context: C) -> None:
        """Draw the section: with the frames of its queries when it declares any."""
        if self.queries:
            self.draw(context, Frames(view, context, self.queries))
        else:
            self.draw(context)


class Sections(Generic[C]):
    """A page's sections in tab order; `key` names the tabs' widget and their URL parameter (?key=label); `needs`
    is what the page's cards above the tabs compute, started with the chosen section's."""

    def __init__(self, key: str, sections: Sequence[Section[C]], needs: tuple[Need[C], ...] = ()) -> None:
        labels = [section.label for section in sections]
        if not labels or not all(label.strip() for label in labels) or len(set(labels)) != len(labels):
            raise ValueError(f"{key}: the sections need distinct, non-empty labels, not {labels}")
        self.key = key
        self.needs = needs
        self._by_label = {section.label: section for section in sections}

    def frames(self, view: View, context: C) -> Frames[C]:
        """The results of the queries the page's cards need (`needs`), read as a section reads its own."""
        return Frames(view, context, queries_of(self.needs))

    @property
    def labels(self) -> list[str]:
        return list(self._by_label)

    def __getitem__(self, label: str) -> Section[C]:
        try:
            return self._by_label[label]
        except KeyError:
            raise KeyError(f"{self.key}: no section {label!r}; the sections are {self.labels}") from None

    def show(self, view: View, context: C, cards: Cards[C] = None, top: Place = None, first: First = None) -> None:
        """The page below its header: `first()` (what the page placed above, such as its 要点) and `cards(context)`
        (in `top`, else just above the tabs), drawn while the chosen section's queries run in the background, then
        the chosen section. In 简报模式 one topic (show_topic)."""
        if view is not None and view.briefing:
            self.show_topic(view, context, cards, top, first)
            return
        top = top if top is not None else st.container()
        section, container = self.open(view, context)
        if first is not None:
            first()
        if cards is not None:
            with top:
                cards(context)
        with container:
            section.show(view, context)

    def show_all(self, view: View, context: C, cards: Cards[C] = None) -> None:
        """The page below its header without tabs: `cards(context)`, then every section in table order. Every
        section's queries start first, in the background, so each runs while the parts above it are drawn. In 简报模式
        one part per screen, as the tabs of other pages (show_topic)."""
        if view is not None and view.briefing:
            self.show_topic(view, context, cards)
            return
        for need in self.needs:
            need.prefetch(view, context)
        for section in self._by_label.values():
            section.prefetch(view, context)
        if cards is not None:
            cards(context)
        for section in self._by_label.values():
            section.show(view, context)

    def url_label(self) -> str:
        """The section the URL names (?key=label), else the first; in 简报模式 the topic of the frame: one of the
        topics offered for the view (`offered`), else the first of them."""
        wanted = st.query_params.get(self.key)
        labels = self.offered(_current_view()) if briefing_on() else self.labels
        return wanted if wanted in labels else labels[0]

    def offered(self, view: View | None) -> list[str]:
        """The 简报模式 topics of the page for the view: every section that is a slide and has something to show for
        the scope (`has_content`); the first slide section when none has."""
        slides = [section for section in self._by_label.values() if section.slide] or list(self._by_label.values())
        shown = [section.label for section in slides if view is None or has_content(view, section.codes)]
        return shown or [slides[0].label]

    def topic_codes(self) -> tuple[str, ...] | None:
        """The indicators the 简报模式 topic's 要点 speak of: its `about`, else its cards'."""
        return self[self.url_label()].codes

    def show_topic(
        self, view: View, context: C, cards: Cards[C] = None, top: Place = None, first: First = None
    ) -> None:
        """简报模式: the section the URL names as one frame, without tabs: its own cards (Section.cards; None: the
        page's `cards`), then the section. The page's other sections are offered below the frame."""
        section = self._start(view, context, self[self.url_label()])
        register_topics(self.key, self.offered(view), section.label)
        if first is not None:
            first()
        with top if top is not None else st.container():
            if section.cards is not None:
                topic_cards(view, section.cards)
            elif cards is not None:
                cards(context)
                reserve(CARD_ROW_PX)
        section.show(view, context)

    def open(self, view: View, context: C) -> tuple[Section[C], DeltaGenerator]:
        """Draw one tab per section, start the cards' and the chosen section's queries and return it with its container.

        Only the chosen section is computed and drawn (Streamlit's lazy tabs), so a filter change redraws the
        page's cards and one section instead of every chart on the page. The choice is kept in the URL
        (?key=label): a copied link or a reload opens the same section. A page of one section has no tabs.
        """
        section, container = self._choose()
        return self._start(view, context, section), container

    def _start(self, view: View, context: C, section: Section[C]) -> Section[C]:
        """Start the queries the page's cards need and the section's own, in the background; the section."""
        for need in self.needs:
            need.prefetch(view, context)
        section.prefetch(view, context)
        return section

    def _choose(self) -> tuple[Section[C], DeltaGenerator]:
        sections = list(self._by_label.values())
        if len(sections) == 1:
            return sections[0], st.container()
        tabs = st.tabs(self.labels, key=self.key, bind="query-params")
        for section, tab in zip(sections, tabs, strict=True):
            if tab.open:
                return section, tab
        return sections[0], tabs[0]

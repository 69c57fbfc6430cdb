"""One card per indicator family, with the way to improve it.

Each card has a headline figure, its trend, its spread across buyers, the median buyer, and a guide step and case
studies (through the shared taxonomy) that show how to improve it.

Figures come from :mod:`civicbuy.dashboard.summary`; definitions, directions and guide steps from the engine's
registry. Links are resolved by the caller (``links``), so the worker can build the charts without the CMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, HIGHER_IS_WORSE, Indicator, all_indicators
from civicbuy.dashboard import charts
from civicbuy.dashboard.summary import ALL, Filters, FlagRate, Summary, flag_rates_by, median
from civicbuy.dashboard.wording import indicator_definition, indicator_name
from civicbuy.dashboard.wording import reason as reason_text

if TYPE_CHECKING:
    from collections.abc import Callable

FAMILIES: tuple[tuple[str, Any, str | None], ...] = (
    ("competition", gettext_lazy("Competition"), "competition.single_bid_rate"),
    ("timeliness", gettext_lazy("Timeliness"), "timeliness.tender_period_days"),
    ("transparency", gettext_lazy("Transparency"), "transparency.key_fields_share"),
    ("integrity", gettext_lazy("Integrity: red flags"), None),
    ("diversity", gettext_lazy("Supplier diversity"), "diversity.sme_award_share"),
    ("sustainability", gettext_lazy("Sustainability"), "sustainability.environmental_criteria_share"),
    ("emergency", gettext_lazy("Emergency buying"), "emergency.process_share"),
)
ANY_FLAG = "integrity.any_flag"
#: Relative difference from the median under which a figure is "close to the median".
CLOSE = 0.05


def kind_of(code: str) -> str:
    """Return how a value of indicator ``code`` is shown: percent, days or number."""
    if code.startswith("R") or code == ANY_FLAG or code.endswith(("_share", "_rate")):
        return "percent"
    if "days" in code:
        return "days"
    return "number"


def number(value: float, decimals: int = 0) -> str:
    """Return a number the way the active language writes it (grouped thousands: "12,345.6", "12.345,6")."""
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_value(value: float | None, kind: str) -> str:
    """Return a value in words for a page ("23%", "12.5 days", "2.4"), in the active language's number format."""
    if value is None:
        return _("not available")
    if kind == "percent":
        return _("%(value)s%%") % {"value": number(round(value * 100))}
    if kind == "days":
        return _("%(days)s days") % {"days": number(value, 1)}
    return number(value, 1) if abs(value) < 1000 else number(value)  # noqa: PLR2004


@dataclass
class Row:
    """One indicator on a card."""

    code: str
    name: str
    definition: str
    direction: str
    value: float | None
    median: float | None
    kind: str
    guide_step: str
    themes: tuple[str, ...]
    is_red_flag: bool = False
    reason: str = ""
    detail: str = ""
    guide_url: str | None = None

    @property
    def value_text(self) -> str:
        """Return the value in words."""
        return format_value(self.value, self.kind)

    @property
    def median_text(self) -> str:
        """Return the median buyer's value in words."""
        return format_value(self.median, self.kind)

    @property
    def comparison(self) -> str:
        """Return "better", "worse" or "close" compared with the median buyer ("" when it cannot be said)."""
        if self.value is None or self.median is None or self.direction not in (HIGHER_IS_BETTER, HIGHER_IS_WORSE):
            return ""
        scale = max(abs(self.median), 1e-9)
        if abs(self.value - self.median) / scale <= CLOSE:
            return "close"
        higher = self.value > self.median
        return "better" if higher == (self.direction == HIGHER_IS_BETTER) else "worse"

    @property
    def comparison_text(self) -> str:
        """Return the comparison with the median buyer in words."""
        return {
            "better": _("Better than the median buyer"),
            "worse": _("Worse than the median buyer"),
            "close": _("Close to the median buyer"),
        }.get(self.comparison, "")


@dataclass
class Card:
    """An indicator family's card."""

    family: str
    title: str
    headline: Row | None
    rows: list[Row] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)
    note: str = ""
    cases: list[Any] = field(default_factory=list)
    #: Whether the figures for these filters are still being computed (the page says so; a reload shows them).
    pending: bool = False

    @property
    def computable(self) -> bool:
        """Return whether any figure of the family could be computed."""
        return any(row.value is not None for row in self.rows)


@dataclass(frozen=True)
class Links:
    """How to reach the guide and the case studies (resolved once per request by the view)."""

    step_url: Callable[[str], str | None]
    cases: Callable[[tuple[str, ...]], list[Any]]


def _declared(family: str) -> list[Indicator]:
    return [
        declared
        for declared in all_indicators()
        if declared.family == family and ("dataset" in declared.levels or declared.levels == ("process",))
    ]


def _flag_row(declared: Indicator, rate: FlagRate | None, buyer_rates: list[float | None]) -> Row:
    value = rate.share if rate else None
    detail = (
        _("%(flagged)s of %(applicable)s processes where it applies")
        % {"flagged": number(rate.flagged), "applicable": number(rate.applicable)}
        if rate and rate.applicable
        else ""
    )
    return Row(
        code=declared.code,
        name=indicator_name(declared),
        definition=indicator_definition(declared),
        direction=declared.direction,
        value=value,
        median=median([v for v in buyer_rates if v is not None]),
        kind="percent",
        guide_step=declared.guide_step,
        themes=declared.themes,
        is_red_flag=True,
        detail=detail,
    )


def _integrity_card(summary: Summary, filters: Filters, title: str) -> Card:
    declared = [d for d in _declared("integrity") if d.is_red_flag]
    total = summary.any_flag(filters)
    by_buyer_rates = flag_rates_by(summary, filters, "buyer_id")
    totals = summary.flag_rates(filters)
    rows = [
        _flag_row(d, totals.get(d.code), [rates[d.code].share for rates in by_buyer_rates.values()]) for d in declared
    ]
    applicable, flagged = (total[0][1], total[0][2]) if total else (0, 0)
    any_buyers = {str(b): (a, f) for b, a, f in summary.any_flag(filters, "buyer_id")}
    buyer_shares = {b: f / a for b, (a, f) in any_buyers.items() if a}
    headline = Row(
        code=ANY_FLAG,
        name=_("Processes with at least one red flag"),
        definition=_(
            "Share of processes, among those where at least one red flag can be checked, that raise one or more."
        ),
        direction=HIGHER_IS_WORSE,
        value=flagged / applicable if applicable else None,
        median=median(list(buyer_shares.values())),
        kind="percent",
        guide_step=rows[0].guide_step if rows else "",
        themes=("integrity",),
        detail=_("%(flagged)s of %(applicable)s processes")
        % {"flagged": number(flagged), "applicable": number(applicable)},
    )
    card = Card("integrity", title, headline if applicable else None, rows)
    years = summary.any_flag(replace(filters, year=None), "year")
    trend = [(str(year), f / a) for year, a, f in years if year is not None and a]
    bars = sorted(((summary.buyer_name(b), s) for b, s in buyer_shares.items()), key=lambda pair: -pair[1])
    _add_charts(card, headline, trend=trend, bars=bars, filters=filters, summary=summary)
    return card


def _engine_card(
    summary: Summary, filters: Filters, family: str, title: str, headline_code: str | None, *, wait: bool
) -> Card:
    values = summary.engine_values(filters, wait=wait)
    if values is None:
        card = Card(family, title, None, pending=True)
        card.note = _(
            "The figures for this CPV division and procurement method are being computed. "
            "Reload the page in a few seconds to see them."
        )
        return card
    reasons = summary.reasons()
    level, identifier = ("buyer", filters.buyer) if filters.buyer else ("dataset", "dataset")
    rows = []
    for declared in _declared(family):
        buyer_values = [v for (code, lvl, _id), v in values.items() if code == declared.code and lvl == "buyer"]
        rows.append(
            Row(
                code=declared.code,
                name=indicator_name(declared),
                definition=indicator_definition(declared),
                direction=declared.direction,
                value=values.get((declared.code, level, identifier)),
                median=median(buyer_values),
                kind=kind_of(declared.code),
                guide_step=declared.guide_step,
                themes=declared.themes,
                reason=reason_text(reasons.get(declared.code, "")),
            )
        )
    headline = next((r for r in rows if r.code == headline_code and r.value is not None), None)
    headline = headline or next((r for r in rows if r.value is not None), None)
    card = Card(family, title, headline, rows)
    if filters.only_period and filters.year and summary.year_slice(filters) == ALL:
        card.note = _("No figures for %(year)s: the figures shown cover every year.") % {"year": filters.year}
    if not filters.only_period:
        card.note = _(
            "These figures cover only the processes of the chosen CPV division and procurement method; "
            "the trend by year is not drawn for them."
        )
    if headline is None:
        return card
    trend: list[tuple[str, float]] = []
    if filters.only_period:
        trend_values = summary.indicator_trend([headline.code], level, identifier or "dataset")[headline.code]
        trend = [(str(year), value) for year, value in sorted(trend_values.items()) if value is not None]
    bars = sorted(
        (
            (summary.buyer_name(identifier_), value)
            for (code, lvl, identifier_), value in values.items()
            if code == headline.code and lvl == "buyer" and value is not None
        ),
        key=lambda pair: -pair[1],
    )
    _add_charts(card, headline, trend=trend, bars=bars, filters=filters, summary=summary)
    return card


def _add_charts(
    card: Card,
    headline: Row,
    *,
    trend: list[tuple[str, float]],
    bars: list[tuple[str, float]],
    filters: Filters,
    summary: Summary,
) -> None:
    percent = headline.kind == "percent"
    if len(trend) > 1:
        first, last = trend[0], trend[-1]
        text = _("%(name)s by year: %(first)s in %(first_year)s, %(last)s in %(last_year)s.") % {
            "name": headline.name,
            "first": format_value(first[1], headline.kind),
            "first_year": first[0],
            "last": format_value(last[1], headline.kind),
            "last_year": last[0],
        }
        card.charts.append(
            charts.Chart(
                chart_id=f"chart-{card.family}-trend",
                title=_("%(name)s by year") % {"name": headline.name},
                summary=text,
                spec=charts.trend_spec(
                    str(_("%(name)s by year") % {"name": headline.name}),
                    trend,
                    headline.name,
                    percent=percent,
                    period_title=str(_("Year")),
                ),
                headers=[_("Year"), headline.name],
                rows=[[label, format_value(value, headline.kind)] for label, value in trend],
            )
        )
    if len(bars) > 1:
        highlight = summary.buyer_name(filters.buyer) if filters.buyer else ""
        middle = headline.median
        text = _("%(name)s across %(count)s buyers: from %(low)s to %(high)s; the median buyer: %(median)s.") % {
            "name": headline.name,
            "count": len(bars),
            "low": format_value(bars[-1][1], headline.kind),
            "high": format_value(bars[0][1], headline.kind),
            "median": format_value(middle, headline.kind),
        }
        if len(bars) > charts.MAX_BARS:
            text += " " + _("The chart shows the %(count)s highest; the table lists all.") % {"count": charts.MAX_BARS}
        card.charts.append(
            charts.Chart(
                chart_id=f"chart-{card.family}-buyers",
                title=_("%(name)s by buyer") % {"name": headline.name},
                summary=text,
                spec=charts.distribution_spec(
                    str(_("%(name)s by buyer (dashed line: median buyer)") % {"name": headline.name}),
                    bars,
                    middle,
                    headline.name,
                    percent=percent,
                    highlight=highlight,
                    buyer_title=str(_("Buyer")),
                ),
                headers=[_("Buyer"), headline.name],
                rows=[[label, format_value(value, headline.kind)] for label, value in bars],
            )
        )


def family_cards(summary: Summary, filters: Filters, links: Links | None = None, *, wait: bool = True) -> list[Card]:
    """Return the cards of every indicator family for the filtered data.

    With ``wait=False`` (pages), figures that take seconds to compute the first time (CPV division and method
    filters) are computed in the background, and their cards say so.
    """
    result = []
    for family, title, headline in FAMILIES:
        if family == "integrity":
            card = _integrity_card(summary, filters, str(title))
        else:
            card = _engine_card(summary, filters, family, str(title), headline, wait=wait)
        if links is not None:
            for row in card.rows:
                row.guide_url = links.step_url(row.guide_step) if row.guide_step else None
            if card.headline is not None:
                card.headline.guide_url = links.step_url(card.headline.guide_step)
            themes = tuple(sorted({theme for row in card.rows for theme in row.themes}))
            card.cases = links.cases(themes)
        result.append(card)
    return result


def page_cards(summary: Summary, filters: Filters, links: Links) -> list[Card]:
    """Return the cards of a page, never waiting: slow figures and missing charts are made in the background.

    A new filter's figures are computed in a background job that then draws their charts too
    (:func:`drawing_charts`); charts of figures already known but missing from the cache are drawn in the chart
    thread. The page shows each card's table and summary meanwhile.
    """
    summary.engine_values(filters, wait=False, then=drawing_charts(summary, filters))
    cards = family_cards(summary, filters, links, wait=False)
    for card in cards:
        for chart in card.charts:
            charts.render(chart, summary.path / charts.CACHE, wait=False)
    return cards


def drawing_charts(summary: Summary, filters: Filters) -> Callable[[], None]:
    """Return a job that draws the charts of the cards for ``filters`` into the summary's chart cache.

    :func:`page_cards` has it run in the background job that computes a new filter's figures, in the page's
    language, so the charts are ready with the figures. Drawing them during the next page view instead took that
    view over a second (vl-convert's drawing competes with the page for 2 cores).
    """
    language = translation.get_language()
    path, engine = summary.path, summary.engine

    def draw() -> None:
        with translation.override(language):
            later = Summary(path, engine)
            try:
                for card in family_cards(later, filters):
                    for chart in card.charts:
                        charts.render(chart, path / charts.CACHE)
            finally:
                later.close()

    return draw

"""The dashboards' charts as plain data, drawn as inline SVG by templates (no JavaScript).

Grouped horizontal bars reuse the indicators' chart (associations.indicators.chart.build_chart,
one band per group, one bar per series); columns (one group per month or year, one column per
series) are built here with the same scale and palette. Each chart sits above its table, which
is its text alternative.
"""

from dataclasses import dataclass

from associations.indicators.chart import PALETTE, build_chart, nice_max
from associations.indicators.checks import EUROS
from grants.templatetags.fr import euros0, number_fr

# At most this many groups are drawn; the table lists them all.
MAX_BANDS = 12


def bars(rows, series, value_format=euros0):
    """rows: [(short label, full label, {series: value})] -> indicator_chart.Chart, or None
    when every value is zero."""
    if not any(value for _, _, cells in rows for value in cells.values()):
        return None  # nothing but zeros: the table says it
    rows = [(short, full, {k: (v, False) for k, v in cells.items()}) for short, full, cells in rows]
    return build_chart(rows[:MAX_BANDS], series, EUROS, value_format=value_format)


def breakdown_chart(breakdown, measure):
    """One band per group, one bar per year: the chosen measure."""
    return bars(
        [
            (row.label, row.label, {y: row.amounts(y).get(measure) for y in breakdown.years})
            for row in breakdown.rows
        ],
        breakdown.years,
    )


def beneficiaries_chart(beneficiaries, years):
    return bars(
        [(b.short_name, b.name, {y: b.voted(y) for y in years}) for b in beneficiaries],
        years,
    )


BUDGET_SERIES = ("Voté", "Engagé", "Mandaté", "Payé")


def budget_chart(consumption):
    """One band per budget line of the year: credits voted, committed, ordered, paid."""
    return bars(
        [
            (
                line.imputation,
                f"{line.imputation} — {line.label}",
                dict(
                    zip(
                        BUDGET_SERIES,
                        (line.voted_credits, line.committed, line.ordered, line.paid),
                        strict=True,
                    )
                ),
            )
            for line in consumption.lines
        ],
        BUDGET_SERIES,
    )


# ---- columns ---------------------------------------------------------------------------------

WIDTH = 960
HEIGHT = 320
LEFT = 100
RIGHT = 16
TOP = 44
BOTTOM = 40
GROUP_PADDING = 0.2  # share of a group's width left empty


@dataclass
class ColumnBar:
    x: float
    y: float
    width: float
    height: float
    color: str
    series: object
    group: str
    value_text: str


@dataclass
class ColumnChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    columns: list
    groups: list  # [{"label", "x"}]
    ticks: list  # [{"y", "label"}]
    legend: list  # [{"label", "color", "x"}]


def columns(groups, series, value, value_format=euros0):
    """groups: axis labels; series: keys, a colour each; value(group index, series) -> Decimal.
    None when every value is zero (nothing to draw)."""
    values = [value(i, s) for i in range(len(groups)) for s in series]
    if not groups or not series or not any(values):
        return None
    top_value = nice_max(max(values))
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span_x, span_y = plot_right - LEFT, plot_bottom - TOP
    group_width = span_x / len(groups)
    bar_width = group_width * (1 - GROUP_PADDING) / len(series)
    colors = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(series)}
    bars_, labels = [], []
    for index, group in enumerate(groups):
        start = LEFT + index * group_width + group_width * GROUP_PADDING / 2
        labels.append({"label": group, "x": round(LEFT + (index + 0.5) * group_width, 1)})
        for position, key in enumerate(series):
            amount = value(index, key)
            height = float(amount / top_value) * span_y
            bars_.append(
                ColumnBar(
                    x=round(start + position * bar_width, 1),
                    y=round(plot_bottom - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    color=colors[key],
                    series=key,
                    group=group,
                    value_text=value_format(amount),
                )
            )
    ticks = [
        {"y": round(plot_bottom - span_y * i / 4, 1), "label": value_format(top_value * i / 4)}
        for i in range(5)
    ]
    legend = [{"label": key, "color": colors[key], "x": LEFT + i * 80} for i, key in
              enumerate(series)]  # fmt: skip
    return ColumnChart(
        WIDTH, HEIGHT, LEFT, plot_right, TOP, plot_bottom, bars_, labels, ticks, legend
    )


SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def months_chart(table):
    return columns(
        list(SHORT_MONTHS),
        table.years,
        lambda i, year: table.rows[i].amount(year),
    )


def late_chart(late):
    """One column per convention year: the number of late justificatifs."""
    return columns(
        [str(year) for year in late.years],
        ["En retard"],
        lambda i, _: late.by_year[late.years[i]],
        value_format=number_fr,
    )

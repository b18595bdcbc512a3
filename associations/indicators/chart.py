"""A horizontal grouped bar chart as plain data, drawn as inline SVG by a template.

One band per association, one bar per year inside it (a colour per year), the value written at
the end of each bar. No JavaScript and no external library: the page's table is the text
alternative and the SVG carries a title and a description. The bars (up to 25 × 10 a page) are
filled from one format string rather than by the template engine, their markup unchanged.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from associations.indicators.checks import format_value

WIDTH = 960
LABEL_WIDTH = 220
VALUE_MARGIN = 90
TOP = 44
BOTTOM = 34
BAR = 16
BAR_GAP = 3
BAND_PADDING = 14
# Colour-blind-safe (Okabe–Ito) darkened for contrast on white, one per year.
PALETTE = ["#1d4f91", "#b35900", "#17653a", "#7a2e8e", "#8a1c1c", "#3d3d3d", "#005f73"]
MAX_LABEL = 30


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    year: int
    value_text: str
    text_x: float
    text_y: float
    is_draft: bool


# One bar of _chart.html, filled in Python: 250 bars × 14 template lookups cost more than the
# queries of the comparison page. Values are written as the template's {% localize off %} would.
BAR_SVG = (
    '\n    <rect class="indicator-bar{draft_class}" data-year="{year}" x="{x}" y="{y}" '
    'width="{width}" height="{height}" fill="{color}"{draft_style}><title>{label}, {year} : '
    '{value_text}</title></rect>\n    <text class="chart-value" x="{text_x}" y="{text_y}">'
    "{value_text}</text>\n    "
)
BAR_FIELDS = ["year", "x", "y", "width", "height", "color", "value_text", "text_x", "text_y"]


def _svg_text(value):
    if type(value) is int:  # years and whole pixel positions: what localize() would return
        return str(value)
    return conditional_escape(localize(value, use_l10n=False))


@dataclass
class Band:
    label: str
    full_label: str
    y: float
    bars: list = field(default_factory=list)

    @property
    def bars_svg(self):
        """The band's bars as SVG, the markup the template drew bar by bar."""
        return mark_safe(
            "".join(
                BAR_SVG.format(
                    draft_class=" is-draft" if bar.is_draft else "",
                    draft_style=(
                        f' fill-opacity=".35" stroke="{_svg_text(bar.color)}" '
                        'stroke-dasharray="3 2"'
                        if bar.is_draft
                        else ""
                    ),
                    label=_svg_text(self.full_label),
                    **{name: _svg_text(getattr(bar, name)) for name in BAR_FIELDS},
                )
                for bar in self.bars
            )
        )


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bands: list
    ticks: list
    legend: list
    has_drafts: bool

    @property
    def bars(self):
        return [bar for band in self.bands for bar in band.bars]


def nice_max(value):
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least `value` (the axis end)."""
    if value <= 0:
        return Decimal("1")
    magnitude = Decimal(10) ** (len(str(int(value))) - 1) if value >= 1 else Decimal("0.1")
    for step in (1, 2, Decimal("2.5"), 5, 10):
        candidate = magnitude * step
        if candidate >= value:
            return candidate
    return magnitude * 10


def _short(label):
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def build_chart(rows, years, unit, *, value_format=None):
    """rows: [(short label, full label, {year: (value or None, is_draft)})]; years: the series
    (ints, or short labels); value_format: value -> text, by default `format_value` in `unit`."""
    if value_format is None:

        def value_format(value):
            return format_value(value, unit)

    values = [v for _, _, cells in rows for v, _ in cells.values() if v is not None]
    if not values or not years:
        return None
    top_value = nice_max(max(values))
    plot_left, plot_right = LABEL_WIDTH, WIDTH - VALUE_MARGIN
    span = plot_right - plot_left
    band_height = len(years) * (BAR + BAR_GAP) - BAR_GAP + 2 * BAND_PADDING
    height = TOP + len(rows) * band_height + BOTTOM
    colors = {year: PALETTE[i % len(PALETTE)] for i, year in enumerate(years)}
    bands, has_drafts = [], False
    for index, (label, full_label, cells) in enumerate(rows):
        top = TOP + index * band_height
        band = Band(_short(label), full_label, top + band_height / 2)
        for position, year in enumerate(years):
            value, is_draft = cells.get(year, (None, False))
            y = top + BAND_PADDING + position * (BAR + BAR_GAP)
            if value is None:
                text, width = "non renseigné", 0
            else:
                text = value_format(value)
                width = float(value / top_value) * span
                has_drafts = has_drafts or is_draft
            band.bars.append(
                Bar(
                    x=plot_left,
                    y=y,
                    width=round(width, 1),
                    height=BAR,
                    color=colors[year],
                    year=year,
                    value_text=text + (" (brouillon)" if is_draft and value is not None else ""),
                    text_x=round(plot_left + width + 5, 1),
                    text_y=y + BAR - 4,
                    is_draft=is_draft,
                )
            )
        bands.append(band)
    ticks = [
        {
            "x": round(plot_left + span * i / 4, 1),
            "label": value_format(top_value * i / 4),
        }
        for i in range(5)
    ]
    legend = [{"year": year, "color": colors[year], "x": plot_left + i * 80} for i, year in
              enumerate(years)]  # fmt: skip
    return Chart(
        width=WIDTH,
        height=int(height),
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=TOP,
        plot_bottom=int(height - BOTTOM),
        bands=bands,
        ticks=ticks,
        legend=legend,
        has_drafts=has_drafts,
    )

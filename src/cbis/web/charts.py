"""Geometry for the server-side SVG charts and maps. Templates draw them (autoescaped); no JavaScript.

Maps use the equirectangular projection of the vendored world outline (static/map/world-110m.svg):
x = longitude + 180, y = 90 - latitude, in a 360 x 180 box.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Rough advances of 12px sans-serif glyphs (DejaVu Sans, the widest common default), to shorten chart labels
# that would overflow: the SVG is drawn on the server, which cannot measure text.
_NARROW = frozenset("iIjlt.,:;'|!()[]{} f/r")
_WIDE = frozenset("mwMW@%")


def text_width(text: str) -> float:
    width = 0.0
    for character in text:
        if character in _NARROW:
            width += 4.2
        elif character in _WIDE:
            width += 11.5
        elif character.isupper() or character.isdigit() or not character.isascii():
            width += 9.0
        else:
            width += 7.0
    return width


def shorten(text: str, width: float) -> str:
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Bar:
    label: str  # shortened to fit; `title` has it whole
    title: str
    text: str
    href: str | None
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_area: int
    row: int


def bar_chart(
    items: Sequence[tuple[str, float, str, str | None]],
    *,
    width: int = 560,
    label_width: int = 190,
    row: int = 22,
    max_value: float | None = None,
) -> BarChart:
    """Horizontal bars. items: (label, value, value as text, link or None)."""
    value_room = 64
    bar_area = width - label_width - value_room
    top = max_value if max_value is not None else max((value for _, value, _, _ in items), default=0)
    bars = [
        Bar(
            label=shorten(label, label_width - 8),
            title=f"{label}: {text}",
            text=text,
            href=href,
            y=index * row,
            width=max(1.0, bar_area * value / top) if top > 0 and value > 0 else 0.0,
        )
        for index, (label, value, text, href) in enumerate(items)
    ]
    return BarChart(bars, width, max(row, row * len(bars)), label_width, bar_area, row)


@dataclass(frozen=True)
class Column:
    label: str
    count: int
    href: str | None
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_height: int
    column_width: float
    maximum: int
    ticks: list[tuple[float, str]]  # x, label for the axis (a subset of the columns)
    unit: str


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timeline(
    months: Sequence[tuple[str, int]], link: dict[str, str], *, width: int = 1100, height: int = 220
) -> ColumnChart | None:
    """Images over time: per month over up to six years, else per year; empty periods shown as gaps.

    `link` maps a period ("2024-05" or "2024") to the gallery URL that lists it.
    """
    valid = [(m, n) for m, n in months if _is_month(m)]
    if not valid:
        return None
    span = _months_between(valid[0][0], valid[-1][0])
    counts = dict(valid)
    if len(span) <= 72:
        periods = [(m, counts.get(m, 0)) for m in span]
        unit = "month"
    else:
        by_year: dict[str, int] = {}
        for m, n in valid:
            by_year[m[:4]] = by_year.get(m[:4], 0) + n
        first, last = int(valid[0][0][:4]), int(valid[-1][0][:4])
        periods = [(str(y), by_year.get(str(y), 0)) for y in range(first, last + 1)]
        unit = "year"
    plot_left, plot_top, bottom_room = 40, 10, 34
    plot_height = height - plot_top - bottom_room
    plot_width = width - plot_left - 10
    step = plot_width / len(periods)
    maximum = max(n for _, n in periods) or 1
    columns = []
    for index, (period, n) in enumerate(periods):
        h = plot_height * n / maximum
        columns.append(Column(period, n, link.get(period), plot_left + index * step, plot_top + plot_height - h, h))
    every = max(1, math.ceil(len(periods) / max(1, plot_width // 56)))
    ticks = [(c.x + step / 2, c.label) for i, c in enumerate(columns) if i % every == 0]
    return ColumnChart(
        columns, width, height, plot_left, plot_top, plot_height, max(1.0, step - 1.5), maximum, ticks, unit
    )


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    title: str
    href: str | None
    radius: float | None = None  # None: the view's


@dataclass(frozen=True)
class MapView:
    x: float
    y: float
    width: float
    height: float
    radius: float
    points: list[MapPoint]
    graticule: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"{self.x:.3f} {self.y:.3f} {self.width:.3f} {self.height:.3f}"


def map_view(
    points: Sequence[tuple[float, float, str, str | None]],
    *,
    min_width: float = 360.0,
    pad: float = 0.15,
    shown_px: float = 600.0,
) -> MapView:
    """A 2:1 view of the world around points (latitude, longitude, title, link), at least min_width degrees wide.

    `shown_px` is about how wide the page shows the map, so that points come out about 5 px in radius.
    """
    located = [(lat, lon, title, href) for lat, lon, title, href in points if _on_map(lat, lon)]
    if located:
        xs = [lon + 180 for _, lon, _, _ in located]
        ys = [90 - lat for lat, _, _, _ in located]
        centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        width = max(min_width, (max(xs) - min(xs)) * (1 + 2 * pad), 2 * (max(ys) - min(ys)) * (1 + 2 * pad))
    else:
        centre_x, centre_y, width = 180.0, 90.0, 360.0
    width = min(width, 360.0)
    height = width / 2
    x = min(max(centre_x - width / 2, 0.0), 360.0 - width)
    y = min(max(centre_y - height / 2, 0.0), 180.0 - height)
    marks = [MapPoint(lon + 180, 90 - lat, title, href) for lat, lon, title, href in located]
    return MapView(x, y, width, height, width * 5 / shown_px, marks, _graticule(x, y, width, height))


def _on_map(latitude: float, longitude: float) -> bool:
    return math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180


def cluster_map(
    clusters: Sequence[tuple[float, float, int, str, str | None]],
    *,
    min_width: float = 360.0,
    pad: float = 0.15,
    shown_px: float = 600.0,
) -> MapView:
    """`map_view` of clusters (latitude, longitude, images, title, link): each drawn larger the more images it
    holds, one image as a point of map_view's size, ten twice as wide, a thousand or more four times."""
    located = [cluster for cluster in clusters if _on_map(cluster[0], cluster[1])]
    view = map_view(
        [(lat, lon, title, href) for lat, lon, _, title, href in located],
        min_width=min_width,
        pad=pad,
        shown_px=shown_px,
    )
    points = [
        dataclasses.replace(point, radius=view.radius * min(4.0, 1.0 + math.log10(max(1, count))))
        for point, (_, _, count, _, _) in zip(view.points, located, strict=True)
    ]
    return dataclasses.replace(view, points=points)


def _graticule(x: float, y: float, width: float, height: float) -> list[tuple[float, float, float, float]]:
    step = next(s for s in (30, 10, 5, 2, 1, 0.5, 0.25, 0.1) if width / s >= 6 or s == 0.1)
    lines = []
    first = math.ceil(x / step) * step
    value = first
    while value <= x + width:
        lines.append((value, y, value, y + height))
        value += step
    value = math.ceil(y / step) * step
    while value <= y + height:
        lines.append((x, value, x + width, value))
        value += step
    return lines

"""One look for every chart: palette, phone-sized figure, localised axes and a small PNG.

Figures are built with `matplotlib.figure.Figure` and drawn by `FigureCanvasAgg`, never through
pyplot, so no global state is shared and charts can render in worker threads. Font sizes are
in points at 100 dpi, so 14 pt is about 19 px on a 1200×800 image.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_compact_currency
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from renderers.format import fmt_date
from renderers.i18n import normalise_language, t

__all__ = [
    "ACCENT", "AMBER", "BACKGROUND", "FONT", "GREEN", "GRID", "HEIGHT_PX", "MAX_PNG_BYTES",
    "MUTED", "PRIMARY", "RED", "SECONDARY", "SERIES", "TEXT", "WIDTH_PX", "compact_money",
    "date_axis", "date_numbers", "day_label", "legend", "money_axis", "new_figure", "no_data",
    "pick_title", "series_colors", "set_title", "short", "to_float", "to_png",
]

PRIMARY = "#1E40AF"
ACCENT = "#3B82F6"
GREEN = "#10B981"
AMBER = "#F59E0B"
RED = "#EF4444"
TEXT = "#1F2937"
SECONDARY = "#6B7280"
GRID = "#E5E7EB"
MUTED = "#CBD5E1"
BACKGROUND = "#FFFFFF"
# Stacked series: the palette first, then two extra hues; "other" is always MUTED grey.
SERIES = (PRIMARY, ACCENT, GREEN, AMBER, RED, "#8B5CF6", "#06B6D4")

FONT = "DejaVu Sans"  # ships with matplotlib and covers Cyrillic and ₽
WIDTH_PX, HEIGHT_PX, DPI = 1200, 800, 100
MAX_PNG_BYTES = 200_000
TICK_PT, LABEL_PT, TITLE_PT, LEGEND_ROW_PT = 15, 15, 22, 30

_LOCALES = {"ru": "ru_RU", "en": "en_US"}


def new_figure() -> tuple[Figure, Axes]:
    """A white 1200×800 figure with one styled axes: readable on a phone screen."""
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    ax = fig.add_subplot()
    ax.set_facecolor(BACKGROUND)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(labelsize=TICK_PT, colors=SECONDARY, labelcolor=TEXT, labelfontfamily=FONT,
                   length=0, pad=8)
    ax.set_axisbelow(True)
    return fig, ax


def pick_title(title: str | None, key: str, lang: str) -> str:
    """None → the catalogue's default title; "" → no title (the PDF has its own heading)."""
    return t(key, lang) if title is None else title


def set_title(ax: Axes, text: str, legend_rows: int = 1) -> None:
    """Left-aligned title with room below it for the legend rows that sit above the plot."""
    if not text:
        return
    ax.set_title(text, loc="left", fontsize=TITLE_PT, fontweight="bold", color=TEXT,
                 fontfamily=FONT, pad=16 + LEGEND_ROW_PT * legend_rows)


def to_float(value: Decimal | float | int | None) -> float:
    """Matplotlib draws floats; money stays Decimal everywhere else."""
    return float(value) if value is not None else float("nan")


def compact_money(value: float, currency: str, lang: str) -> str:
    """Axis ticks: `150 тыс. ₽`, `1,2 млн ₽` (ru) / `₽117K` (en)."""
    lang = normalise_language(lang)
    text = format_compact_currency(value, currency, locale=_LOCALES[lang], fraction_digits=1)
    if currency == "RUB":
        text = text.replace("RUB", "₽").replace("руб.", "₽")
    return text.replace("\u202f", "\u00a0").replace("-", "−")


def money_axis(axis: Axis, currency: str, lang: str) -> None:
    axis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda v, _: compact_money(v, currency, lang)))


def date_axis(axis: Axis, lang: str) -> None:
    """Day ticks as `3 нояб.` / `Nov 3`, month names from Babel in the user's language."""
    pattern = "d MMM" if normalise_language(lang) == "ru" else "MMM d"
    locator = AutoDateLocator(minticks=4, maxticks=8)  # type: ignore[no-untyped-call]
    axis.set_major_locator(locator)
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_date(
        num2date(v).date(), lang, pattern)))  # type: ignore[no-untyped-call]


def date_numbers(days: Sequence[date]) -> list[float]:
    """Dates as matplotlib's day numbers: the typed way to put `date`s on an axis."""
    return [float(n) for n in date2num(list(days))]  # type: ignore[no-untyped-call]


def day_label(day: date | datetime, lang: str) -> str:
    return fmt_date(day, lang, "d MMM" if normalise_language(lang) == "ru" else "MMM d")


def short(text: str, limit: int) -> str:
    """Long resource names would push the plot off the image; cut them with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def no_data(ax: Axes, lang: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", fontsize=LABEL_PT + 3,
            color=SECONDARY, fontfamily=FONT, transform=ax.transAxes)


def legend(ax: Axes, ncols: int, handles: Sequence[Artist] | None = None) -> None:
    """Legend in one row between the title and the plot, so it never covers data."""
    extra = {"handles": list(handles)} if handles is not None else {}
    ax.legend(**extra, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, frameon=False,
              prop={"family": FONT, "size": LABEL_PT}, labelcolor=TEXT, borderaxespad=0.2,
              handlelength=1.2, columnspacing=1.4)


def to_png(fig: Figure) -> bytes:
    """Draw, quantise to a palette and compress: a chart stays far below Telegram's limits.

    Fewer colours are tried if an unusually busy chart comes out above MAX_PNG_BYTES.
    """
    canvas = FigureCanvasAgg(fig)
    fig.tight_layout(pad=1.2)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgb = Image.frombuffer("RGBA", canvas.get_width_height(), rgba, "raw", "RGBA", 0,
                           1).convert("RGB")
    size = 0
    for colors in (128, 48, 16):
        buffer = io.BytesIO()
        # Octree quantising is ~5× faster than median cut; `optimize` would add ~50 ms for 3 %.
        _pure_background(rgb.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)).save(
            buffer, format="PNG")
        size = buffer.tell()
        if size < MAX_PNG_BYTES:
            return buffer.getvalue()
    raise ValueError(f"chart PNG is {size} bytes, over {MAX_PNG_BYTES}")


def _pure_background(image: Image.Image) -> Image.Image:
    """Octree shifts white to a near-white grey; put the background back to exact white."""
    counts = image.getcolors(maxcolors=256) or []
    palette = image.getpalette() or []
    if counts:
        _, found = max(counts, key=lambda item: item[0])
        index = int(found)  # type: ignore[call-overload]
        rgb = palette[3 * index:3 * index + 3]
        if min(rgb) >= 240:
            palette[3 * index:3 * index + 3] = [255, 255, 255]
            image.putpalette(palette)
    return image


def series_colors(count: int, other_last: bool) -> Sequence[str]:
    """Palette colours for `count` series; an "other" bucket at the end is grey."""
    named = count - 1 if other_last else count
    colors = [SERIES[i % len(SERIES)] for i in range(named)]
    return [*colors, MUTED] if other_last else colors

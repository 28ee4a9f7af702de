"""Page primitives for the brief: headings, badge, KPI tiles, tables and charts on A4.

Kept apart from the brief's content so each section in `brief.py` reads as data → primitive.
Every text that could be long is cut to a limit and wrapped inside its cell, never overflowing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from fpdf import FPDF, FontFace, XPos, YPos

from renderers.charts import style
from renderers.pdf.fonts import FAMILY, register_fonts

__all__ = ["BriefDocument", "Column", "Tile"]

MARGIN = 15.0
CELL_TEXT_LIMIT = 140  # a table cell never gets more than this many characters
ZEBRA = "#F3F4F6"
BORDER = "#E5E7EB"


@dataclass(frozen=True, slots=True)
class Tile:
    """One KPI: a small label, a big value and a grey line of context under it."""

    label: str
    value: str
    sub: str = ""
    color: str = style.TEXT


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width: float  # relative
    align: Literal["LEFT", "RIGHT", "CENTER"] = "LEFT"


class BriefDocument(FPDF):
    """A4 portrait with embedded DejaVu fonts and a footer of `page i of n` and a timestamp."""

    def __init__(self, footer_left: str, page_template: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_left = footer_left
        self._page_template = page_template  # e.g. "стр. {page} из {total}"
        register_fonts(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(style.TEXT)
        self.set_draw_color(BORDER)

    @staticmethod
    def table_height(rows: int) -> float:
        """A rough height of a table of one-line rows, to keep short tables on one page."""
        return 8.0 + 7.5 * rows

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(style.SECONDARY)
        self.cell(self.content_width / 2, 5, self._footer_left)
        page = self._page_template.format(page=self.page_no(), total=self.str_alias_nb_pages)
        self.cell(self.content_width / 2, 5, page, align="R")
        self.set_text_color(style.TEXT)

    # --- text ---------------------------------------------------------------------------

    def text_line(self, text: str, size: float, *, bold: bool = False,
                  color: str = style.TEXT, height: float | None = None) -> None:
        """A paragraph of wrapped text across the content width."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(color)
        self.multi_cell(self.content_width, height or size * 0.5, text, align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(style.TEXT)

    def heading(self, text: str, keep: float = 30) -> None:
        """Section title kept on one page with the first `keep` mm of its content."""
        self.ensure_space(14 + keep)
        self.ln(5)
        self.set_fill_color(style.PRIMARY)
        self.rect(self.l_margin, self.y + 0.6, 1.6, 5.4, style="F")
        self.set_x(self.l_margin + 4)
        self.set_font(FAMILY, "B", 13)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def subheading(self, text: str) -> None:
        self.set_font(FAMILY, "B", 10)
        self.set_text_color(style.SECONDARY)
        self.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(style.TEXT)

    def badge(self, text: str, fill: str, color: str) -> None:
        """A rounded label such as PRELIMINARY, on the current line."""
        self.set_font(FAMILY, "B", 9)
        width = self.get_string_width(text) + 6
        x, y = self.x, self.y
        self.set_fill_color(fill)
        self.rect(x, y, width, 6.5, style="F", round_corners=True, corner_radius=1.5)
        self.set_text_color(color)
        self.set_xy(x, y)
        self.cell(width, 6.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(style.TEXT)

    def ensure_space(self, height: float) -> None:
        if self.y + height > self.page_break_trigger:
            self.add_page()

    # --- blocks -------------------------------------------------------------------------

    def tiles(self, tiles: Sequence[Tile], per_row: int = 3) -> None:
        """KPI tiles in a grid; values are bold and large, context is small grey text."""
        gap, height = 4.0, 23.0
        width = (self.content_width - gap * (per_row - 1)) / per_row
        for start in range(0, len(tiles), per_row):
            self.ensure_space(height + gap)
            y = self.y
            for i, tile in enumerate(tiles[start:start + per_row]):
                x = self.l_margin + i * (width + gap)
                self.set_fill_color(ZEBRA)
                self.rect(x, y, width, height, style="F", round_corners=True, corner_radius=2)
                self.set_xy(x + 3, y + 2.5)
                self.set_font(FAMILY, "", 8)
                self.set_text_color(style.SECONDARY)
                self.cell(width - 6, 4, _cut(tile.label, 48))
                self.set_xy(x + 3, y + 7.5)
                self.set_font(FAMILY, "B", 14)
                self.set_text_color(tile.color)
                self.cell(width - 6, 7, _fit(self, tile.value, width - 6))
                self.set_xy(x + 3, y + 15.5)
                self.set_font(FAMILY, "", 7.5)
                self.set_text_color(style.SECONDARY)
                self.cell(width - 6, 4, _fit(self, tile.sub, width - 6))
            self.set_text_color(style.TEXT)
            self.set_xy(self.l_margin, y + height + gap)

    def data_table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
              width: float | None = None, align: Literal["LEFT", "RIGHT", "CENTER"] = "LEFT",
              total: Sequence[str] | None = None) -> None:
        """Zebra table with a bold heading (repeated on every page) and an optional total row."""
        self.set_font(FAMILY, "", 8.5)
        self.set_fill_color("#FFFFFF")  # rows between zebra stripes use the current fill
        heading_style = FontFace(emphasis="BOLD", color=style.SECONDARY, fill_color="#FFFFFF")
        total_style = FontFace(emphasis="BOLD")
        with self.table(col_widths=[c.width for c in columns],
                        text_align=[c.align for c in columns], width=width or self.content_width,
                        align=align, borders_layout="HORIZONTAL_LINES", line_height=4.6,
                        padding=(1.4, 1.5), headings_style=heading_style,
                        cell_fill_color=ZEBRA, cell_fill_mode="ROWS") as table:
            header = table.row()
            for column in columns:
                header.cell(column.heading)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(_cut(value, CELL_TEXT_LIMIT))
            if total is not None:
                row = table.row()
                for value in total:
                    row.cell(value, style=total_style)
        self.ln(2)

    @staticmethod
    def chart_height(width: float) -> float:
        return width * style.HEIGHT_PX / style.WIDTH_PX

    def chart(self, png: bytes, width: float) -> None:
        """A chart PNG centred at `width` mm, moved to the next page rather than cut."""
        height = self.chart_height(width)
        self.ensure_space(height + 2)
        self.image(io.BytesIO(png), x=self.l_margin + (self.content_width - width) / 2,
                   w=width, h=height)
        self.ln(2)


def _cut(text: str, limit: int) -> str:
    return style.short(text, limit)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut one-line text (KPI tiles) to the width available in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"

"""Fonts embedded into every brief: DejaVu Sans from matplotlib's own data, so Cyrillic and ₽
render anywhere with nothing installed beyond pip."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from fpdf import FPDF

__all__ = ["FAMILY", "font_paths", "register_fonts"]

FAMILY = "DejaVu"


def font_paths() -> dict[str, Path]:
    """fpdf2 style → TTF file ("" regular, "B" bold)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf"}


def register_fonts(pdf: FPDF) -> None:
    """Add both faces; fpdf2 subsets them on output, so the file carries only used glyphs."""
    for style, path in font_paths().items():
        pdf.add_font(FAMILY, style, path)

"""PDF briefs for finance: `render_brief(BriefData) -> bytes`."""

from __future__ import annotations

from renderers.pdf.brief import render_brief

__all__ = ["render_brief"]

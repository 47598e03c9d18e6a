"""``tutor run --save F.png|svg|pdf``: the run's views as one matplotlib figure, a panel per view
that draws in a figure (:mod:`tutor.headless.views`), written through ``atomicfile.replacing``."""

from __future__ import annotations

from pathlib import Path

from tutor.experiments.state import RunState

from .views import VIEWS, Curves, word

#: What ``--save`` can write (matplotlib's Agg canvas and its vector back ends).
SAVE_FORMATS = (".png", ".svg", ".pdf")


def hangul_font() -> str | None:
    """The name of an installed font that draws Hangul, or None (nothing is downloaded)."""
    from matplotlib import font_manager, ft2font  # noqa: PLC0415

    for entry in font_manager.fontManager.ttflist:
        try:
            charmap = ft2font.FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        # real Hangul glyphs differ from one another; a "last resort" font maps all to one box
        if charmap.get(ord("한")) not in (None, 0) and charmap.get(ord("한")) != charmap.get(ord("가")) \
                and ord("1") in charmap:
            return entry.name
    return None


def save_png(state: RunState, path: Path, lang: str) -> None:
    """The figure of a folded run (format from the suffix, checked by ``check_save``). Korean
    text needs a font with Hangul: without one the labels are English and a footnote says why."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from tutor.atomicfile import replacing  # noqa: PLC0415

    footnote = None
    if lang == "ko":
        font = hangul_font()
        if font is None:
            lang, footnote = "en", word("png_no_hangul", "en")
        else:
            matplotlib.rcParams["font.family"] = [font, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
    panels = [v for v in VIEWS if v.png is not None and v.shows(state)] or [Curves()]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    begin = state.begin or {}
    title = (begin.get("title") or {}).get(lang) or (begin.get("title") or {}).get("en", "")
    seed_text = word("png_seed", lang, seed=begin.get("seed"))
    fig.suptitle(f"{title}  ({begin.get('experiment', '')}, {seed_text})")
    for ax, view in zip(axes[0], panels):
        view.png(ax, state, lang)
    fig.tight_layout()
    if footnote:
        fig.subplots_adjust(bottom=0.18)
        fig.text(0.01, 0.01, footnote, fontsize=8, color="0.35")
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, dpi=90, format=path.suffix.lstrip(".").lower())
    finally:
        plt.close(fig)

"""The colours of a run's variants, one palette for every view of a run: the TUI's plots, the
terminal's (``tutor run``) and the PNG's. Hex strings, which rich, Textual and matplotlib all read.
Train curves take ``PALETTE``; a validation curve the same hue, darker."""

PALETTE = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176", "#4db6ac", "#f06292"]
VAL_PALETTE = ["#0288d1", "#e65100", "#2e7d32", "#b71c1c", "#6a1b9a", "#f9a825", "#00695c", "#ad1457"]


def color_for(index: int, validation: bool = False) -> str:
    return (VAL_PALETTE if validation else PALETTE)[index % len(PALETTE)]

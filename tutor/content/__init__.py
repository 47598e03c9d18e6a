"""Content: lesson, quiz and chapter YAML files turned into validated, immutable models.

The names below are imported when first used (module ``__getattr__``), so that what needs only
``tutor.content.paths`` or the home index does not import pydantic, yaml and the models.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {
    "ContentError": "loader", "Library": "loader", "load_library": "loader",
    "UnsupportedLatex": "mathtext", "latex_to_unicode": "mathtext",
    "render_inline_math": "mathtext",
    "bundled_content_dirs": "paths", "safe_text": "textsafety",
    **{name: "models" for name in (
        "Chapter", "Derivation", "DerivationStep", "GeneratedQuestion", "Lesson", "McqQuestion",
        "MultiQuestion", "NumericQuestion", "OrderQuestion", "ProseStep", "QuizRef", "QuizStep",
        "RunStep", "Text", "WhyQuestion", "WhyStep")},
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once is enough
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))

"""Content: lesson, quiz and chapter YAML files turned into validated, immutable models."""

from .loader import ContentError, Library, load_library
from .mathtext import UnsupportedLatex, latex_to_unicode, render_inline_math
from .models import (
    Chapter,
    Derivation,
    DerivationStep,
    GeneratedQuestion,
    Lesson,
    McqQuestion,
    MultiQuestion,
    NumericQuestion,
    OrderQuestion,
    ProseStep,
    QuizRef,
    QuizStep,
    RunStep,
    Text,
    WhyQuestion,
    WhyStep,
)
from .paths import bundled_content_dirs
from .textsafety import safe_text

__all__ = [
    "Chapter", "ContentError", "Derivation", "DerivationStep", "GeneratedQuestion", "Lesson",
    "Library", "McqQuestion", "MultiQuestion", "NumericQuestion", "OrderQuestion", "ProseStep",
    "QuizRef", "QuizStep", "RunStep", "Text", "UnsupportedLatex", "WhyQuestion", "WhyStep",
    "bundled_content_dirs", "latex_to_unicode", "load_library", "render_inline_math", "safe_text",
]

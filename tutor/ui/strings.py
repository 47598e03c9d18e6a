"""Interface strings (see tutor.i18n) and footer labels in the learner's language."""

from __future__ import annotations

from tutor.i18n import STRINGS, tr

__all__ = ["STRINGS", "action_label", "localize_bindings", "tag_label", "tr"]


# Footer labels by action: Textual's bindings are declared once per class, so each screen
# relabels its own with these in the learner's language.
ACTION_LABELS = {
    "app.quit": "b_quit", "app.toggle_language": "b_lang", "app.help": "b_help",
    "next": "b_next", "skip": "b_skip", "type_answer": "b_type", "back": "b_back",
    "dismiss": "b_back", "submit": "b_submit", "stop_typing": "b_stop_typing",
    "command_palette": "b_palette", "escape": "b_close", "help": "b_help", "quit": "b_quit",
}


def action_label(action: str, lang: str) -> str | None:
    """The footer label of ``action`` in ``lang``, if it is one we name."""
    key = ACTION_LABELS.get(action) or ACTION_LABELS.get(action.removeprefix("app."))
    return tr(key, lang) if key else None


def localize_bindings(node, lang: str) -> None:
    """Relabel ``node``'s footer bindings in ``lang``."""
    from dataclasses import replace  # noqa: PLC0415

    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=tr(ACTION_LABELS[b.action], lang))
            if b.action in ACTION_LABELS else b
            for b in bindings
        ]


def tag_label(slug: str, lang: str) -> str:
    """A tag's name in ``lang`` (the slug itself is never shown)."""
    from tutor import i18n  # noqa: PLC0415

    named = getattr(i18n, "tag_name", None)
    return named(slug, lang) if named else slug.replace("-", " ")

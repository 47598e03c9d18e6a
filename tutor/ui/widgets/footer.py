"""The footer in the learner's language, for every key it shows.

Bindings are declared in English by each class (ours and Textual's own: the command palette,
a Select's menu, text fields). Rather than relabel each class, the footer translates what it is
about to show, by the binding's action.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..strings import action_label


class TutorFooter(Footer):
    def compose(self):
        lang = getattr(self.app, "lang", "en")
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                label = action_label(widget.action, lang)
                if label:
                    widget.description = label
                    widget.tooltip = label
            yield widget

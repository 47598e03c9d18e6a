"""Why the progress file or an import cannot be used, as one line a learner can act on.

Each error keeps its i18n key and values: ``str(err)`` is the English line (ready to print as
it is), ``err.text(lang)`` the same line in the learner's language.
"""

from __future__ import annotations

from tutor.i18n import tr


class Phrase:
    """Part of a message that is itself translated (e.g. what kind of file was found)."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        return tr(self.key, lang, **self.values)


class _OneLine(Exception):
    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return tr(self.key, lang, **{name: value.text(lang) if isinstance(value, Phrase) else value
                                     for name, value in self.values.items()})


class StoreError(_OneLine):
    """The progress file cannot be used now; it was left exactly as it was."""


class BadExport(_OneLine, ValueError):
    """A progress export that is not ours or has a wrong record; nothing was imported."""

"""`tutor playground`: a TensorFlow Playground in the terminal.

The ``playground`` experiment (data set, noise, train/test ratio, input features, hidden layers,
activation, learning rate, regularisation and its rate, batch size) in a :class:`RunPanel` laid out
for a whole screen: the settings in a column on the left, the live decision boundary and the train
and test loss curves on the right. It starts training at once, and any change of a setting
restarts the run (Enter applies a typed value; a choice applies as soon as it is picked).
"""

from __future__ import annotations


from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from tutor.i18n import tr

from ..run.panel import RunPanel
from ..strings import localize_bindings
from ..styles import STEP_STYLES

EXPERIMENT = "playground"


class PlaygroundScreen(Screen):
    CSS_PATH = STEP_STYLES
    BINDINGS = [
        Binding("escape,q", "back", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, params: dict | None = None, seed: int = 0):
        super().__init__()
        self.params = dict(params or {})
        self.seed = seed

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        yield Header()
        yield RunPanel(EXPERIMENT, self.params, None, self.lang, seed=self.seed,
                       auto_restart=True, autostart=True, id="playground-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("run.playground_title", self.lang)
        localize_bindings(self, self.lang)
        self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        # the settings column gets narrower on small terminals (80 columns)
        self.set_class(event.size.width < 120, "narrow")

    @property
    def panel(self) -> RunPanel:
        return self.query_one("#playground-panel", RunPanel)

    def action_back(self) -> None:
        self.panel.stop_run()
        self.app.pop_screen()

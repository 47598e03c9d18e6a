"""Live runs in the TUI: the run panel and its parts (see :mod:`tutor.ui.run.panel`), and the
lesson step that wraps it (:mod:`tutor.ui.run.step`). Import the modules themselves: this package
imports nothing, so that opening it costs nothing until a run is shown."""

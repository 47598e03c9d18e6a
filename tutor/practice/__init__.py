"""Practice: quiz and review sessions, interviews, grading — shared by the TUI and the CLI."""

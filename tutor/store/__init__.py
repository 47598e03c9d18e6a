"""Progress kept in SQLite: lesson positions, answers, self-ratings (and, later, review state)."""

from .db import LessonProgress, ProgressStore, default_db_path

__all__ = ["LessonProgress", "ProgressStore", "default_db_path"]

"""Progress kept in SQLite: lesson positions, answers, self-ratings (and, later, review state)."""

from .db import LessonProgress, ProgressStore, ReviewItem, default_db_path

__all__ = ["LessonProgress", "ProgressStore", "ReviewItem", "default_db_path"]

"""Progress kept in SQLite: lesson positions, answers, self-ratings (and, later, review state)."""

from .db import LessonProgress, ProgressStore, ReviewItem, default_db_path
from .errors import BadExport, StoreError

__all__ = ["BadExport", "LessonProgress", "ProgressStore", "ReviewItem", "StoreError",
           "default_db_path"]

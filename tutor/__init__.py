"""Why Tutor: learn deep learning by asking WHY."""

"""`python -m tutor` is the `tutor` command (the TUI launches runs this way)."""

import sys

from tutor.cli import main

sys.exit(main())

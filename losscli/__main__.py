"""``python -m losscli``."""

from losscli.cli import run

run()

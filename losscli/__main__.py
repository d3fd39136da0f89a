"""``python -m losscli``."""

from losscli.cli import main

main(prog_name="losscli")

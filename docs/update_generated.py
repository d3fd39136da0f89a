"""Regenerate the documentation that comes from the registry (run by `make docs`).

- README.md: the table of losses between `<!-- losses:start -->` and `<!-- losses:end -->`;
- docs/losses.md: the loss reference.
tests/test_docs.py fails when either is stale.
"""

from __future__ import annotations

from pathlib import Path

from losscli.catalog import catalog_markdown, loss_reference_markdown

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- losses:start -->\n", "<!-- losses:end -->"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + catalog_markdown() + END + tail)
    (ROOT / "docs" / "losses.md").write_text(loss_reference_markdown())


if __name__ == "__main__":
    main()

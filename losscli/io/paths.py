"""Expand the paths a user gave (files, directories, globs) into the sorted files to read.

A directory stands for every file with a supported extension inside it, recursively, skipping
hidden names (``.x``, ``_x``); a glob may use ``**``. A path that exists is never a glob, so a
file literally named ``a[1].csv`` still reads.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from losscli.errors import InputFileError, UsageError
from losscli.io.formats import EXTENSIONS, format_from_name
from losscli.io.uris import display_uri, is_uri

if TYPE_CHECKING:
    from losscli.io.remote import Remotes

_LOOKED_FOR = f"looked for {', '.join(EXTENSIONS)}, optionally compressed"


def expand_paths(paths: Sequence[str], remotes: Remotes | None = None) -> list[str]:
    """The files ``paths`` name (directories walked, globs expanded), deduplicated and sorted.

    A URI (``s3://bucket/prefix/``, ``s3://bucket/*.parquet``) is expanded by ``remotes``, the
    same way: a prefix stands for every input file under it, a glob for its matches.

    Raises:
        InputFileError: a glob or a directory yields no input file.
        UsageError: a URI is given but ``remotes`` is None.
    """
    found: dict[str, str] = {}
    for path in paths:
        if is_uri(path):
            if remotes is None:
                raise UsageError(f"'{display_uri(path)}' is a URI; remote inputs are not enabled")
            for uri in remotes.expand(path):
                found.setdefault(uri, uri)
            continue
        if _is_glob(path) and not os.path.lexists(path):
            matches = glob.glob(path, recursive=True)
            if not matches:
                raise InputFileError(f"no files match '{path}'")
            files = [file for match in matches for file in _files_in(match)]
            if not files:
                raise InputFileError(f"no readable input files match '{path}' ({_LOOKED_FOR})")
        elif os.path.isdir(path):
            files = _walk(path)
            if not files:
                raise InputFileError(f"no readable input files in '{path}' ({_LOOKED_FOR})")
        else:
            files = [path]
        for file in files:
            found.setdefault(os.path.normpath(os.path.abspath(file)), file)
    return sorted(found.values())


def _is_glob(path: str) -> bool:
    return any(char in path for char in "*?[")


def _files_in(match: str) -> list[str]:
    return _walk(match) if os.path.isdir(match) else [match]


def _walk(directory: str) -> list[str]:
    """Every file with a supported extension under ``directory``, skipping hidden (./_) names."""
    files = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if not name.startswith((".", "_")))
        for name in sorted(names):
            if not name.startswith((".", "_")) and format_from_name(name) is not None:
                files.append(os.path.join(root, name))
    return files

"""Readers that stream raw documents in as `Page | Rejection`, one page in memory at a time.

Formats: `.txt`, `.html`/`.htm` (optionally `.gz`), `.jsonl` (optionally `.gz`), `.warc`/`.warc.gz`
(HTML responses only); anything else, and stdin (`-`), is sniffed. Rejection reasons:
`empty`, `binary`, `too_large`, `truncated`, `corrupt`, `unreadable`, `invalid_json`,
`bad_record` (JSONL with wrong types or no content), `http_status` (WARC non-2xx responses).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from newsfuse.errors import InputError
from newsfuse.ingest.files import read_file, read_stream
from newsfuse.ingest.streams import MAX_PAGE_BYTES
from newsfuse.model import Page, Rejection

__all__ = ["MAX_PAGE_BYTES", "STDIN", "read_inputs"]

STDIN = "-"


def read_inputs(paths: Iterable[str], *, stdin: BinaryIO | None = None,
                skip: Iterable[str | Path] = ()) -> Iterator[Page | Rejection]:
    """Pages from files, folders (recursive, sorted, hidden entries skipped) and `-` (stdin).

    Folders are walked without entering `skip` (the run's own output folder and store, which
    may sit inside an input folder). Raises InputError at once when a named path does not
    exist; a bad document inside a readable input is a Rejection, never an exception.
    """
    names = list(paths)
    for name in names:
        if name != STDIN and not os.path.exists(name):
            raise InputError(f"no such file or folder: {name}")
    return _read_all(names, stdin, {Path(p).resolve() for p in skip})


def _read_all(names: list[str], stdin: BinaryIO | None, skip: set[Path]) -> Iterator[Page | Rejection]:
    for name in names:
        if name == STDIN:
            yield from read_stream(stdin if stdin is not None else sys.stdin.buffer, STDIN, None)
        elif os.path.isdir(name):
            for path in _walk(Path(name)):
                if not _skipped(path.resolve(), skip):
                    yield from read_file(path, str(path))
        else:
            yield from read_file(Path(name), name)


def _skipped(path: Path, skip: set[Path]) -> bool:
    # A store's companions ("x.sqlite-wal", "x.sqlite-shm") go with it.
    return any(path == s or s in path.parents
               or (path.parent == s.parent and path.name.startswith(s.name + "-")) for s in skip)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under a folder in a stable order (by relative path), hidden names skipped."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if not f.startswith("."))
    yield from sorted(found, key=lambda p: p.relative_to(folder).parts)

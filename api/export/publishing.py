"""Replacing an export all at once: a web server serving OUT never sees half of one.

The new export is written to a hidden folder beside OUT and swapped with it in
one ``renameat2(RENAME_EXCHANGE)`` where Linux offers it (two renames in quick
succession elsewhere). Only an empty folder or a previous export is replaced,
and only our manifest marks a folder as one: the state the next export continues
from (``state_path``, see ``previous``) outlives OUT, so a folder made again at
OUT's path for something else would pass for an export if the state were taken as
a mark, and be deleted. That state lies beside OUT, not in it: it records every
file of the content, drafts included, and OUT is served whole by static hosts.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

MANIFEST = "manifest.json"
GENERATOR = "content-api static export"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class ExportRefused(RuntimeError):
    """OUT cannot take an export: it is a file, or a folder holding something else."""


def is_previous_export(folder: Path) -> bool:
    """Whether ``folder`` was written by ``content export``: its manifest says so."""
    return manifest_of(folder) is not None


def state_path(out: Path) -> Path:
    """Where the export in ``out`` keeps what the next one continues from: beside it."""
    return out.parent / f".{out.name}.export-state.json"


def write_state(out: Path, data: bytes) -> None:
    """Replace the state beside ``out`` in one rename (never half written)."""
    path = state_path(out)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def manifest_of(folder: Path) -> dict | None:
    """The manifest of the export in ``folder``; None when it is missing or not ours."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR:
        return None
    return manifest


def check_destination(out: Path) -> None:
    """Refuse OUT unless it is missing, empty, or a previous export."""
    if not out.exists():
        if not out.parent.is_dir():
            raise ExportRefused(f"{out}: its parent folder {out.parent} does not exist")
        return
    if not out.is_dir():
        raise ExportRefused(f"{out} is not a folder; refusing to replace it")
    if any(out.iterdir()) and not is_previous_export(out):
        raise ExportRefused(
            f"{out} is not empty and is not a previous export (no {MANIFEST} written by "
            "`content export`); refusing to replace it"
        )


def temporary_folder(out: Path) -> Path:
    """A new folder beside OUT (same file system, so the swap is a rename), readable by all."""
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    folder.chmod(0o755)  # web servers read it as another user
    return folder


def publish(folder: Path, out: Path) -> None:
    """Put ``folder`` in OUT's place; the previous export, if any, is deleted afterwards."""
    check_destination(out)
    if not out.exists():
        os.rename(folder, out)
        return
    if _exchange(folder, out):
        shutil.rmtree(folder)  # now holding the previous export
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
    os.rename(out, previous / "export")
    os.rename(folder, out)
    shutil.rmtree(previous)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))

"""Writing files so that a reader never sees a half-written one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def _umask() -> int:
    current = os.umask(0)  # the only way to read it; set back at once (at import, one thread)
    os.umask(current)
    return current


_UMASK = _umask()


def publish_file(partial: Path, out: Path) -> None:
    """Move a finished temporary file onto ``out`` in one step, readable as any new file is
    (``mkstemp`` makes it private to its owner, which a web server could not read)."""
    partial.chmod(0o666 & ~_UMASK)
    os.replace(partial, out)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename; on any
    failure (a full disk, an interrupt) the temporary file is removed and ``path`` is as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        publish_file(Path(tmp), path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def replace_folder(staging: Path, folder: Path) -> None:
    """Swap a finished ``staging`` folder in for ``folder`` (its sibling): the old one is
    renamed aside, staging renamed in, then the old one removed, so ``folder`` is always
    either the old or the new whole."""
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)

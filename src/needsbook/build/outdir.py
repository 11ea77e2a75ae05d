"""Where a build may write (``--out``), and putting a finished book there without losing data.

``--out`` may be a new folder, an empty one, or one holding a book needsbook wrote (recognised by
its stamp, :data:`needsbook.build.fingerprint.STAMP`, whose file list must cover every file
there). A batch root may also hold the books, the landing page and the site stamp
(:data:`SITE_STAMP`). Anything else is refused before a build starts unless ``--force``, which
moves the folder aside to a visible backup beside it: needsbook never deletes what it did not
write. Never allowed, even with ``--force``: an existing file, the project root or a folder
holding it, the build, data and local-data folders, the home folder and the current folder (or
folders holding them), and a folder that is part of the project.

Temporary folders carry the owning process id (``_build/.staging-<code>-<pid>-*``,
``.<name>.incoming-<pid>``, ``.<name>.old-<pid>``), so a later run removes those whose process
is gone (killed, or the machine stopped) and leaves concurrent builds alone.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from needsbook import __version__, paths
from needsbook.build import interrupts
from needsbook.build.fingerprint import STAMP, book_files, read_stamp
from needsbook.errors import DataError, InputError
from needsbook.messages import clip_path

SITE_STAMP = "_needsbook_site.json"
LANDING_GENERATOR = '<meta name="generator" content="needsbook'
_LANDING_LEGACY = '<p class="meta">needsbook '  # landing pages written before the marker
_STAGING = re.compile(r"^\.staging-[A-Za-z0-9]+-(?P<pid>\d+)-[A-Za-z0-9_]+$")
_LEGACY_STAGING = re.compile(r"^\.staging-[A-Za-z0-9]+-[A-Za-z0-9_]+$")
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>incoming|old)(?:-(?P<pid>\d+))?$")
_PART = re.compile(r"^\.index\.html\.(?:part(?:-\d+)?|\w+\.tmp)$")  # a landing page being written
LEGACY_AGE = 3600.0  # seconds: a staging folder without a pid is stale after this


@dataclass(frozen=True)
class Target:
    """A checked output folder: ``state`` is new, empty, ours or foreign (only with force)."""

    path: Path
    state: str
    reason: str = ""


def resolve(path: Path | str) -> Path:
    return Path(path).expanduser().resolve()


def staging_prefix(area_code: str) -> str:
    """``mkdtemp`` prefix of a build's staging folder (names the owning process)."""
    return f".staging-{area_code}-{os.getpid()}-"


# --- what may be written -------------------------------------------------------------------


def _protected(data_dir: Path | None, local_dir: Path | None) -> list[tuple[Path, str]]:
    root = paths.repo_root()
    items: list[tuple[Path | str, str]] = [
        (root, "the project root"),
        (root / "_build", "the build folder"),
        (paths.build_dir(), "the build folder"),
        (Path(data_dir) if data_dir else paths.default_data_dir(), "the data folder"),
        (Path.home(), "your home folder"),
    ]
    if paths.find_project() is not None:
        items.append((paths.workspace(), "the project folder"))
    if local_dir:
        items.append((Path(local_dir), "the local data folder"))
    with contextlib.suppress(OSError):  # the current folder may have been deleted
        items.append((Path.cwd(), "the current folder"))
    return [(resolve(p), label) for p, label in items]


def _refuse_protected(out: Path, data_dir: Path | None, local_dir: Path | None) -> None:
    for path, label in _protected(data_dir, local_dir):
        if out == path or out in path.parents:
            what = f"is {label}" if out == path else f"holds {label} ({clip_path(path)})"
            raise InputError(
                f"--out {clip_path(out)} {what}: needsbook never publishes there, even with "
                "--force; choose a new or empty folder"
            )


def _sample(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(sorted(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def book_state(out: Path) -> tuple[str, str]:
    """(state, reason) of a would-be book folder: new, empty, ours or foreign."""
    if not out.exists():
        return "new", ""
    entries = [p.name for p in out.iterdir()]
    if not entries:
        return "empty", ""
    stamp = read_stamp(out)
    if stamp is None or "area_code" not in stamp:
        return "foreign", f"it holds {_sample(entries)} and no needsbook book"
    listed = stamp.get("files")
    if listed is None:  # stamped by an older needsbook, which did not list its files
        return "ours", ""
    extra = sorted(set(book_files(out)) - set(listed) - {STAMP})
    if extra:
        return "foreign", f"it holds a book plus files needsbook did not write: {_sample(extra)}"
    return "ours", ""


def is_landing(path: Path) -> bool:
    """Whether ``path`` is a landing page written by needsbook."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(8192)
    except OSError:
        return False
    return LANDING_GENERATOR in head or _LANDING_LEGACY in head


def site_state(root: Path) -> tuple[str, str]:
    """(state, reason) of a batch output root: new, empty, ours or foreign."""
    if not root.exists():
        return "new", ""
    entries = list(root.iterdir())
    if not entries:
        return "empty", ""
    if (root / SITE_STAMP).is_file():
        return "ours", ""
    foreign = [
        p.name
        for p in entries
        if not (
            (p.is_dir() and not p.is_symlink() and (p / STAMP).is_file())
            or (p.name == "index.html" and is_landing(p))
            or _TEMP.match(p.name)
            or _PART.match(p.name)
        )
    ]
    if foreign:
        return "foreign", f"it holds {_sample(foreign)}, which needsbook did not write"
    return "ours", ""


def check_writable(out: Path, option: str = "--out") -> None:
    """Refuse (InputError, exit 2) unless ``out`` (if it is a folder) and the folder that
    receives it can be written to: a probe folder is made there and removed."""
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    for where in (folder, out) if out.is_dir() else (folder,):
        if not where.is_dir():
            raise InputError(
                f"{option} {clip_path(out)}: {clip_path(where)} is a file, not a folder"
            )
        try:
            os.rmdir(tempfile.mkdtemp(prefix=".needsbook-probe-", dir=where))
        except OSError as exc:
            raise InputError(
                f"{option} {clip_path(out)} is not writable: cannot create anything in "
                f"{clip_path(where)} ({exc.strerror or exc}); choose another place"
            ) from None


def _refuse_foreign(out: Path, reason: str, force: bool, what: str) -> None:
    root = paths.repo_root()
    if out.is_relative_to(root) and not out.is_relative_to(root / "_build"):
        raise InputError(
            f"--out {clip_path(out)} is part of the project and not {what} ({reason}): "
            "needsbook never replaces it, even with --force"
        )
    if not force:
        raise InputError(
            f"--out {clip_path(out)} is not {what}: {reason}. Choose a new or empty folder, "
            "or pass --force to move it aside (kept beside it as "
            f"{out.name}.before-needsbook-<date>) and publish there"
        )


def book_target(
    out: Path | str,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    local_dir: Path | None = None,
) -> Target:
    """Check that a book may be published at ``out``; raise InputError (exit 2) if not."""
    path = resolve(out)
    _refuse_protected(path, data_dir, local_dir)
    if path.exists() and not path.is_dir():
        raise InputError(
            f"--out {clip_path(path)} is a file: a book is a folder, and needsbook never "
            "replaces a file (even with --force)"
        )
    state, reason = book_state(path)
    if state == "foreign":
        _refuse_foreign(path, reason, force, "a folder holding a needsbook book")
    check_writable(path)
    return Target(path, state, reason)


def site_target(
    root: Path | str | None,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    local_dir: Path | None = None,
) -> Target:
    """Check a batch output root (default ``_build/html``, always ours); raise InputError."""
    if root is None:
        path = paths.build_dir() / "html"
        return Target(path, "ours" if path.exists() else "new")
    path = resolve(root)
    _refuse_protected(path, data_dir, local_dir)
    if path.exists() and not path.is_dir():
        raise InputError(
            f"--out {clip_path(path)} is a file: with several areas it must be a folder"
        )
    state, reason = site_state(path)
    if state == "foreign":
        _refuse_foreign(path, reason, force, "a folder of needsbook books")
    check_writable(path)
    return Target(path, state, reason)


def stamp_site(root: Path) -> None:
    """Mark ``root`` as a folder of needsbook books (so later batch builds recognise it)."""
    stamp = root / SITE_STAMP
    if not stamp.is_file():
        root.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"needsbook": __version__, "kind": "books"}) + "\n")


# --- publishing ----------------------------------------------------------------------------


def _backup_name(out: Path) -> Path:
    base = f"{out.name}.before-needsbook-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = out.with_name(base), 1
    while candidate.exists():
        n += 1
        candidate = out.with_name(f"{base}-{n}")
    return candidate


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def publish(html: Path, target: Target, force: bool = False) -> Path | None:
    """Move the finished ``html`` folder to ``target`` in one rename, replacing only a book
    needsbook wrote; with ``force`` a foreign folder is moved to a backup (returned)."""
    out = target.path
    sweep_siblings(out)
    incoming = out.with_name(f".{out.name}.incoming-{os.getpid()}")
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    for leftover in (incoming, old):
        _remove(leftover)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(html), str(incoming))  # a copy when out is on another file system
    except OSError as exc:
        with interrupts.deferred():
            _remove(incoming)
        raise DataError(
            f"could not write the book to {clip_path(out.parent)}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
    except BaseException:
        with interrupts.deferred():
            _remove(incoming)
        raise
    backup = None
    with interrupts.deferred():
        try:
            if out.exists():
                state, reason = book_state(out)
                if state == "foreign":  # changed during the build: check again
                    _refuse_foreign(out, reason, force, "a folder holding a needsbook book")
                    backup = _backup_name(out)
                    out.rename(backup)
                else:
                    out.rename(old)
            incoming.rename(out)
        except BaseException as exc:
            _remove(incoming)
            if old.exists() and not out.exists():
                old.rename(out)
            if isinstance(exc, OSError):
                raise DataError(
                    f"could not publish the book at {clip_path(out)}: {exc.strerror or exc}; "
                    "the previous contents are unchanged"
                ) from None
            raise
        _remove(old)
    return backup


# --- stale temporary folders ---------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_staging(build_root: Path) -> list[Path]:
    """Remove ``build_root/.staging-*`` folders whose build process is gone; returns them."""
    removed = []
    if not build_root.is_dir():
        return removed
    now = time.time()
    for path in build_root.glob(".staging-*"):
        m = _STAGING.match(path.name)
        if m:
            stale = not _alive(int(m["pid"]))
        else:  # named before staging folders carried a pid
            try:
                age = now - path.stat().st_mtime
            except OSError:
                continue
            stale = bool(_LEGACY_STAGING.match(path.name)) and age > LEGACY_AGE
        if stale:
            _remove(path)
            removed.append(path)
    return removed


def sweep_siblings(out: Path) -> list[Path]:
    """Remove ``.<out>.incoming-<pid>`` / ``.<out>.old-<pid>`` left by dead processes (an
    ``.old`` folder is put back if the book itself is missing); returns what was cleaned."""
    cleaned = []
    parent = out.parent
    if not parent.is_dir():
        return cleaned
    for path in parent.glob(f".{glob.escape(out.name)}.*"):
        m = _TEMP.match(path.name)
        if not m or m["name"] != out.name or (m["pid"] and _alive(int(m["pid"]))):
            continue
        if m["kind"] == "old" and not out.exists():
            path.rename(out)
        else:
            _remove(path)
        cleaned.append(path)
    return cleaned

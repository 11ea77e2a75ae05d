"""Where a build may write (``--out``), and putting a finished book there without losing data.

``--out`` may be a new folder, an empty one, or one holding a book needsbook wrote (recognised by
its stamp, :data:`needsbook.build.fingerprint.STAMP`, whose file list must cover every file
there). Anything else is refused before a build starts unless ``--force``, which moves the
folder aside to a visible backup beside it: needsbook never deletes what it did not write.

Books are kept per area and year: ``<root>/<code>/<year>/`` (the default root is
``_build/html``; a batch's ``--out`` is a root). ``<root>/<code>/`` is an *area folder*: its
year books, its area page ``index.html`` (written by needsbook, recognised by its generator
marker, :data:`LANDING_GENERATOR`) and temporary files, nothing else. An area folder holding a
book published there directly (by a needsbook that did not keep years apart: the stamp is at
that level) is *legacy*; it is moved, whole, into ``<code>/<stamp year>/`` before a new year is
published beside it (:func:`migrate_legacy`). An area folder holding anything else is refused
unless ``--force``, which publishes the year book beside those files and moves nothing. A batch
root may hold area folders, legacy books, the landing page and the site stamp
(:data:`SITE_STAMP`).

Never allowed, even with ``--force``: an existing file, the project root or a folder holding
it, the build, data and local-data folders, the home folder and the current folder (or folders
holding them), and a folder that is part of the project.

Temporary folders carry the owning process id (``_build/.staging-<code>-<pid>-*``,
``.<name>.incoming-<pid>``, ``.<name>.old-<pid>``, ``.<code>.migrating-<pid>``), so a later run
removes (or, for a book, puts back) those whose process is gone (killed, or the machine
stopped) and leaves concurrent builds alone.
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
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>incoming|old|migrating)(?:-(?P<pid>\d+))?$")
_YEAR = re.compile(r"^\d{4}$")  # a year book's folder name in an area folder
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
    """(state, reason) of a would-be book folder: new, empty, ours, area (an area folder of
    year books: needsbook's, but not a book, so never replaced by one) or foreign."""
    if not out.exists():
        return "new", ""
    entries = [p.name for p in out.iterdir()]
    if not entries:
        return "empty", ""
    stamp = read_stamp(out)
    if stamp is None and area_state(out)[0] == "ours":
        years = ", ".join(sorted(y.name for y in year_books(out)))
        return "area", f"it holds the books of one area by data year ({years or 'none yet'})"
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
    """Whether ``path`` is a page needsbook wrote for a site: the landing page or an area page
    (both carry :data:`LANDING_GENERATOR`)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(8192)
    except OSError:
        return False
    return LANDING_GENERATOR in head or _LANDING_LEGACY in head


def is_year_book(path: Path) -> bool:
    """Whether ``path`` is a year book of an area folder: ``<year>/`` holding a book stamp."""
    return (
        bool(_YEAR.match(path.name))
        and path.is_dir()
        and not path.is_symlink()
        and (path / STAMP).is_file()
    )


def year_books(folder: Path) -> list[Path]:
    """The year books of an area folder, latest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if is_year_book(p)), reverse=True)


def area_state(folder: Path) -> tuple[str, str]:
    """(state, reason) of an area folder ``<root>/<code>``: new, empty, ours (year books, the
    area page, temporary files), legacy (a book published there directly) or foreign."""
    if not folder.exists():
        return "new", ""
    if not folder.is_dir():
        return "foreign", "it is a file"
    entries = list(folder.iterdir())
    if not entries:
        return "empty", ""
    if (folder / STAMP).is_file():
        return "legacy", "it holds a book published before books were kept by data year"
    foreign = [
        p.name
        for p in entries
        if not (
            is_year_book(p)
            or (p.name == "index.html" and p.is_file() and is_landing(p))
            or _TEMP.match(p.name)
            or _PART.match(p.name)
        )
    ]
    if foreign:
        return "foreign", f"it holds {_sample(foreign)}, which needsbook did not write"
    return "ours", ""


def _is_area_folder(path: Path) -> bool:
    """Whether ``path`` looks like an area folder (a year book or an area page in it); its
    contents are checked in full only when a book is published there (:func:`check_area`)."""
    if not path.is_dir() or path.is_symlink():
        return False
    return bool(year_books(path)) or is_landing(path / "index.html")


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
            or _is_area_folder(p)
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
    if state == "area":
        raise InputError(
            f"--out {clip_path(path)} is an area folder: {reason}. Name a year folder in it "
            f"(e.g. {clip_path(path / '<year>')}) or a new folder; needsbook never replaces "
            "the books of every year with one book (even with --force)"
        )
    if state == "foreign":
        _refuse_foreign(path, reason, force, "a folder holding a needsbook book")
    check_writable(path)
    return Target(path, state, reason)


def legacy_year(folder: Path) -> int:
    """The data year of the book published directly in the area folder ``folder`` (from its
    stamp); InputError when the stamp does not say (a book from an early needsbook)."""
    stamp = read_stamp(folder) or {}
    year = stamp.get("year")
    if isinstance(year, int) and not isinstance(year, bool) and 1900 < year < 2200:
        return year
    raise InputError(
        f"{clip_path(folder)} holds a book from an earlier needsbook that does not record its "
        "data year, so it cannot be kept beside the books of other years: move it elsewhere "
        "(or build with --out to publish a book somewhere else)"
    )


def check_area(
    folder: Path | str,
    year: int,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    local_dir: Path | None = None,
) -> str:
    """Check that the year book ``folder/<year>`` may be published in the area folder
    ``folder`` (changes nothing); returns the folder's state (:func:`area_state`). InputError
    (exit 2) for a file, a legacy book without a year, or (unless ``force``) foreign content."""
    path = resolve(folder)
    _refuse_protected(path, data_dir, local_dir)
    if path.exists() and not path.is_dir():
        raise InputError(
            f"{clip_path(path)} is a file: an area's books go in a folder of that name, and "
            "needsbook never replaces a file (even with --force)"
        )
    state, reason = area_state(path)
    if state == "legacy" and legacy_year(path) == int(year):
        book, why = book_state(path)  # it becomes the year book this build replaces
        if book == "foreign":
            _refuse_foreign(path, why, force, "a folder holding a needsbook book")
    if state == "foreign":
        root = paths.repo_root()
        if path.is_relative_to(root) and not path.is_relative_to(root / "_build"):
            raise InputError(
                f"{clip_path(path)} is part of the project and not a needsbook area folder "
                f"({reason}): needsbook never publishes there, even with --force"
            )
        if not force:
            raise InputError(
                f"{clip_path(path)} is not a needsbook area folder (its books by data year and "
                f"their page): {reason}. Move those files away, or pass --force to publish the "
                "book beside them (nothing there is moved or deleted)"
            )
    return state


def migrate_legacy(folder: Path | str) -> Path | None:
    """Move a book published directly in the area folder ``folder`` into
    ``folder/<its data year>``, whole (no file is copied, changed or deleted); returns its new
    place, or None when ``folder`` holds no such book.

    The book is renamed into a new folder beside it (``.<code>.migrating-<pid>``), which is
    then renamed to ``folder``: if the process is killed in between, :func:`sweep_siblings`
    puts the area folder in place on the next run."""
    folder = resolve(folder)
    sweep_siblings(folder)
    if not (folder / STAMP).is_file():
        return None
    year = legacy_year(folder)
    aside = folder.with_name(f".{folder.name}.migrating-{os.getpid()}")
    try:
        aside.mkdir()
        with interrupts.deferred():
            folder.rename(aside / str(year))
            try:
                aside.rename(folder)
            except OSError:
                (aside / str(year)).rename(folder)  # put the book back as it was
                raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            aside.rmdir()  # only ever empty here
        raise DataError(
            f"could not move the earlier book in {clip_path(folder)} into its year folder "
            f"{year}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return folder / str(year)


def area_book_target(
    out: Path | str,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    local_dir: Path | None = None,
) -> Target:
    """Check the year book ``out`` (``<root>/<code>/<year>``) and its area folder
    (:func:`check_area`), move a legacy book there into its year folder, then check ``out``
    as :func:`book_target` does; raise InputError (exit 2) if it may not be used."""
    path = resolve(out)
    opts = {"data_dir": data_dir, "local_dir": local_dir}
    check_area(path.parent, int(path.name), force=force, **opts)
    book_target(path, force=force, **opts)  # every refusal before anything is moved
    migrate_legacy(path.parent)
    return book_target(path, force=force, **opts)


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
                if state == "area":  # became an area folder during the build: never replaced
                    raise InputError(
                        f"--out {clip_path(out)} became an area folder during the build "
                        f"({reason}): the book was not published there"
                    )
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
    ``.old`` folder is put back if the book itself is missing), and put back an area folder a
    killed :func:`migrate_legacy` left as ``.<out>.migrating-<pid>`` (never removed unless
    empty); returns what was cleaned."""
    cleaned = []
    parent = out.parent
    if not parent.is_dir():
        return cleaned
    for path in parent.glob(f".{glob.escape(out.name)}.*"):
        m = _TEMP.match(path.name)
        if not m or m["name"] != out.name or (m["pid"] and _alive(int(m["pid"]))):
            continue
        if m["kind"] == "migrating":
            if not out.exists():
                path.rename(out)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
            else:
                continue  # holds a book while the area folder exists again: left for the user
        elif m["kind"] == "old" and not out.exists():
            path.rename(out)
        else:
            _remove(path)
        cleaned.append(path)
    return cleaned

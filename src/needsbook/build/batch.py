"""Build many areas' books in parallel: validate once, one process per area, a summary at the end.

One failing area never stops the others, and (as for single builds) never leaves a half-written
book. Each area's step log goes to ``_build/logs/<area code>.log``.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from needsbook import paths
from needsbook.areas import resolve_area
from needsbook.build.pipeline import BuildOptions, build_area
from needsbook.errors import NeedsbookError, ValidationFailedError


@dataclass
class AreaOutcome:
    query: str
    status: str  # "built" | "skipped" | "failed"
    seconds: float
    area_code: str = ""
    area_name: str = ""
    out: str = ""
    reason: str = ""


def log_path(query: str) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in query)
    return paths.repo_root() / "_build" / "logs" / f"{safe}.log"


def _build_one(opts: BuildOptions) -> AreaOutcome:
    """Worker: build one area, writing its step log; never raises."""
    log = log_path(opts.area)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as f:

        def report(message: str) -> None:
            f.write(message + "\n")
            f.flush()

        try:
            result = build_area(replace(opts, quiet=False), report=report)
        except NeedsbookError as exc:
            report(f"FAILED: {exc}")
            return AreaOutcome(
                opts.area, "failed", time.perf_counter() - start, reason=str(exc).splitlines()[0]
            )
        except Exception as exc:  # an unexpected bug in one area must not stop the batch
            report(f"FAILED with an unexpected error: {exc!r}")
            return AreaOutcome(
                opts.area,
                "failed",
                time.perf_counter() - start,
                reason=f"unexpected error: {exc!r} (see {log})",
            )
    status = "skipped" if result.skipped else "built"
    return AreaOutcome(
        opts.area,
        status,
        time.perf_counter() - start,
        result.area.code,
        result.area.name,
        str(result.out),
    )


def build_many(
    queries: list[str],
    template: BuildOptions,
    jobs: int = 1,
    on_done: Callable[[AreaOutcome], None] | None = None,
    out_root: Path | None = None,
) -> list[AreaOutcome]:
    """Validate once, then build each area (``jobs`` processes) into ``out_root/<code>``
    (default ``_build/html/<code>``). Unknown areas are reported as failed, not raised."""
    if template.validate:
        from needsbook.validate import validate_snapshot

        result = validate_snapshot(
            template.data_dir, cache_dir=paths.repo_root() / "_build" / ".cache"
        )
        if not result.success:
            raise ValidationFailedError(result.text())
    outcomes: dict[str, AreaOutcome] = {}
    codes: dict[str, str] = {}  # query -> resolved code
    for q in queries:
        try:
            codes[q] = resolve_area(q, template.data_dir).code
        except NeedsbookError as exc:
            outcomes[q] = AreaOutcome(q, "failed", 0.0, reason=str(exc).splitlines()[0])
    unique = list(dict.fromkeys(codes.values()))
    per_area = [
        replace(template, area=c, validate=False, out=Path(out_root) / c if out_root else None)
        for c in unique
    ]
    if jobs <= 1:
        for opts in per_area:
            outcomes[opts.area] = _build_one(opts)
            if on_done:
                on_done(outcomes[opts.area])
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_build_one, opts): opts.area for opts in per_area}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[futures[future]] = outcome
                if on_done:
                    on_done(outcome)
    return [outcomes[q] for q in queries if q in outcomes and q not in codes] + [
        outcomes[c] for c in unique
    ]

"""Time needsbook.stats on 100,000 rows, and PHStatsMethods on the same rows if it installs.

Run ``python -m needsbook.bench_stats``. It prints figures only; it is not a test.

PHStatsMethods (GPL-3) is installed with pip into a temporary directory that is deleted
afterwards; it is never vendored, and only its public functions are called.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from needsbook import stats

LEVELS = (0.95, 0.998)


def make_data(rows: int, seed: int) -> pd.DataFrame:
    """Synthetic counts and denominators: a mix of small (exact) and large (Byar's) counts."""
    rng = np.random.default_rng(seed)
    denominator = rng.integers(20, 5000, rows).astype(float)
    count = np.maximum(1.0, np.floor(denominator * rng.beta(0.5, 8, rows)))
    return pd.DataFrame({"count": count, "denominator": denominator})


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    """Fastest of ``repeats`` runs, in seconds (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_needsbook(df: pd.DataFrame, repeats: int) -> dict[str, float]:
    x = df["count"].to_numpy()
    n = df["denominator"].to_numpy()
    return {
        "proportion": best_time(
            lambda: stats.proportion(df, confidence=LEVELS, multiplier=100), repeats
        ),
        "rate": best_time(lambda: stats.rate(df, confidence=LEVELS), repeats),
        "wilson_ci arrays": best_time(lambda: [stats.wilson_ci(x, n, c) for c in LEVELS], repeats),
        "rate_ci arrays": best_time(lambda: [stats.rate_ci(x, n, c) for c in LEVELS], repeats),
    }


def load_phstatsmethods(target: str) -> Any:
    """pip install PHStatsMethods (no dependencies) into ``target`` and import it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target,
         "PHStatsMethods"],
        check=True,
        capture_output=True,
        timeout=600,
    )  # fmt: skip
    sys.path.insert(0, target)
    try:
        return importlib.import_module("PHStatsMethods")
    finally:
        sys.path.remove(target)


def time_phstatsmethods(module: Any, df: pd.DataFrame) -> tuple[dict[str, float], dict[str, Any]]:
    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for name, fn in [
        (
            "proportion",
            lambda: module.ph_proportion(
                df, "count", "denominator", confidence=list(LEVELS), multiplier=100
            ),
        ),
        ("rate", lambda: module.ph_rate(df, "count", "denominator", confidence=list(LEVELS))),
    ]:
        start = time.perf_counter()
        results[name] = fn()
        timings[name] = time.perf_counter() - start
    return timings, results


def max_relative_difference(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Largest relative difference between the CI limits of the two outputs."""
    worst = 0.0
    for suffix in ("95", "99_8"):
        for side in ("lower", "upper"):
            a = ours[f"{side}_ci_{suffix}"].to_numpy()
            b = theirs[f"{side}_{suffix}_ci"].to_numpy(dtype=float)
            worst = max(worst, float(np.nanmax(np.abs(a - b) / np.abs(a))))
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--skip-phstatsmethods", action="store_true", help="time needsbook.stats only"
    )
    args = parser.parse_args(argv)

    df = make_data(args.rows, args.seed)
    exact_share = float((df["count"] < 10).mean())
    print(f"{args.rows:,} rows, CI levels 95% and 99.8% ({exact_share:.0%} of counts below 10)")
    ours = time_needsbook(df, args.repeats)
    for name, seconds in ours.items():
        print(f"  needsbook.stats {name:<17} {seconds * 1000:9.2f} ms (best of {args.repeats})")
    if args.skip_phstatsmethods:
        return

    with tempfile.TemporaryDirectory(prefix="phstatsmethods-") as target:
        try:
            module = load_phstatsmethods(target)
        except (subprocess.SubprocessError, OSError, ImportError) as exc:
            print(f"PHStatsMethods could not be installed ({type(exc).__name__}); no comparison")
            return
        version = getattr(module, "__version__", "installed")
        print(f"PHStatsMethods {version} (one run each; this takes a while)")
        theirs, results = time_phstatsmethods(module, df)
    checks = {
        "proportion": stats.proportion(df, confidence=LEVELS, multiplier=100),
        "rate": stats.rate(df, confidence=LEVELS),
    }
    for name, seconds in theirs.items():
        ratio = seconds / ours[name]
        agree = max_relative_difference(checks[name], results[name])
        print(
            f"  PHStatsMethods {name:<10} {seconds * 1000:11.1f} ms -> speed-up {ratio:,.0f}x "
            f"(target >= 200x); CI limits agree to {agree:.1e} relative"
        )


if __name__ == "__main__":
    main()

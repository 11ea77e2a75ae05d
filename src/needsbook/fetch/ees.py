"""DfE explore-education-statistics (EES) public API -> the DfE files the snapshot derives from.

Endpoints (base ``https://api.education.gov.uk/statistics``, overridable with
``NEEDSBOOK_EES_API``), as documented for EES API v1:

* ``GET /v1/publications?search=<title>&page=<n>&pageSize=40`` - find the publication;
* ``GET /v1/publications/{publicationId}/data-sets?page=<n>&pageSize=40`` - its data sets;
* ``GET /v1/data-sets/{dataSetId}/csv`` - the latest version of a data set as CSV.

A data set is chosen by matching its title against the catalogue's patterns (or pinned by id
with ``needsbook fetch --data-set KEY=ID``). The CSV must have the EES layout
(``time_period, time_identifier, geographic_level, country_code, ..., old_la_code,
new_la_code, la_name``) plus the measure columns the snapshot code reads; it then stands in for
the raw file at ``target`` (e.g. ``dfe_csc/cla_number_and_rate_per_10k_children.csv``) when
``needsbook snapshot --from-cache`` rebuilds, so the derivation in ``needsbook.snapshot.ind_csc``
/ ``ind_neet`` / ``ind_eyfs`` is reused unchanged. Rows for the periods it covers are removed
from the ``siblings`` (older files of the same series), so a revised period replaces the old one.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from needsbook.fetch.csvio import read_csv, read_json
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher

SOURCE = "DfE explore-education-statistics"
PAGE_SIZE = 40
GEO_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)


def api_url() -> str:
    return os.environ.get("NEEDSBOOK_EES_API", "https://api.education.gov.uk/statistics").rstrip(
        "/"
    )


@dataclass(frozen=True)
class EesDataSet:
    """A catalogue entry: an EES data set and the raw file it stands in for."""

    key: str  # "cla"
    title: str
    publication: str  # the publication's title on EES
    name_patterns: tuple[str, ...]  # regexes the data set title must all match
    target: str  # raw-folder path of the file with the same layout
    columns: tuple[str, ...]  # measure/filter columns the snapshot code reads
    siblings: tuple[str, ...] = ()
    data_set_id: str | None = None
    checked: bool = False

    def matches(self, title: str) -> bool:
        return all(re.search(p, title, re.I) for p in self.name_patterns)


@dataclass
class EesResult:
    """A downloaded data set, ready to stand in for ``target``."""

    key: str
    target: str
    siblings: tuple[str, ...]
    body: bytes
    rows: int
    periods: list[str]
    title: str
    data_set_id: str
    urls: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _paged(
    fetcher: Fetcher, url: str, params: dict[str, str | int], label: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """All ``results`` of a paged EES listing, and the URLs read."""
    results: list[dict[str, Any]] = []
    urls: list[str] = []
    page = 1
    while True:
        got = fetcher.get(
            url,
            params={**params, "page": page, "pageSize": PAGE_SIZE},
            source=SOURCE,
            indicator=label,
            check=lambda b: read_json(b, source=SOURCE, required=("results",)),
        )
        urls.append(got.entry.url)
        value = got.value
        if not isinstance(value, dict) or not isinstance(value.get("results"), list):
            raise FetchError(
                SOURCE, "unexpected JSON: no 'results' list", url=got.entry.url, indicator=label
            )
        results += [r for r in value["results"] if isinstance(r, dict)]
        total = int((value.get("paging") or {}).get("totalPages") or 1)
        if page >= total or page >= 20:
            return results, urls
        page += 1


def resolve(fetcher: Fetcher, spec: EesDataSet, label: str) -> tuple[str, str, list[str]]:
    """``(data set id, title, URLs read)`` for ``spec`` (see the module docstring)."""
    base = api_url()
    pubs, urls = _paged(fetcher, f"{base}/v1/publications", {"search": spec.publication}, label)
    wanted = _norm(spec.publication)
    pub = next((p for p in pubs if _norm(str(p.get("title", ""))) == wanted), None)
    if pub is None:
        titles = "; ".join(str(p.get("title")) for p in pubs) or "none"
        raise FetchError(
            SOURCE,
            f"publication '{spec.publication}' not found (search returned: {titles})",
            url=urls[0],
            indicator=label,
        )
    sets, more = _paged(fetcher, f"{base}/v1/publications/{pub['id']}/data-sets", {}, label)
    urls += more
    live = [s for s in sets if str(s.get("status", "Published")).lower() != "withdrawn"]
    hits = [s for s in live if spec.matches(str(s.get("title", "")))]
    if len(hits) != 1:
        listed = "; ".join(f"{s.get('id')} '{s.get('title')}'" for s in (hits or live)) or "none"
        raise FetchError(
            SOURCE,
            f"{'no' if not hits else len(hits)} data sets of '{spec.publication}' match "
            f"'{spec.title}' ({'candidates' if hits else 'available'}: {listed}); pin one with "
            f"`needsbook fetch --data-set ees:{spec.key}=<data set id>`",
            url=more[0],
            indicator=label,
        )
    return str(hits[0]["id"]), str(hits[0].get("title", spec.title)), urls


def _check_csv(body: bytes, spec: EesDataSet) -> tuple[int, list[str]]:
    df = read_csv(body, source=SOURCE, required=(*GEO_COLUMNS, *spec.columns))
    levels = set(df["geographic_level"].dropna())
    if "Local authority" not in levels:
        raise FetchError(
            SOURCE,
            "no local authority rows (geographic levels: "
            + (", ".join(sorted(levels)) or "none")
            + ")",
        )
    if "National" not in levels:
        raise FetchError(SOURCE, "no national (England) rows to compare against")
    periods = df["time_period"].dropna().str.strip()
    if not periods.str.fullmatch(r"\d{4}(\d{2})?").all():
        bad = sorted(periods[~periods.str.fullmatch(r"\d{4}(\d{2})?")].unique())[:5]
        raise FetchError(SOURCE, f"unexpected time_period values: {', '.join(bad)}")
    return len(df), sorted(periods.unique())


def fetch_data_set(
    fetcher: Fetcher, spec: EesDataSet, pins: Mapping[str, str] | None = None
) -> EesResult:
    """Resolve and download one catalogue data set, checking its layout."""
    label = f"ees:{spec.key}"
    pinned = (pins or {}).get(label) or spec.data_set_id
    urls: list[str] = []
    if pinned:
        data_set_id, title = pinned, spec.title
    else:
        data_set_id, title, urls = resolve(fetcher, spec, label)
    got = fetcher.get(
        f"{api_url()}/v1/data-sets/{data_set_id}/csv",
        source=SOURCE,
        indicator=label,
        check=lambda b: _check_csv(b, spec),
    )
    rows, periods = got.value
    return EesResult(
        key=label,
        target=spec.target,
        siblings=spec.siblings,
        body=got.entry.read_bytes(),
        rows=rows,
        periods=periods,
        title=title,
        data_set_id=data_set_id,
        urls=[*urls, got.entry.url],
    )


def drop_periods(text_csv: bytes, periods: list[str]) -> bytes:
    """An EES CSV without the rows for ``periods`` (for the older files of a series)."""
    df = pd.read_csv(
        io.BytesIO(text_csv), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig"
    )
    keep = ~df["time_period"].str.strip().isin(periods)
    return df[keep].to_csv(index=False).encode()

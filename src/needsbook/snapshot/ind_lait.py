"""DfE Local Authority Interactive Tool (LAIT): all measures for LAs, regions and England.

Decisions (see also the module docstring of ``indicators``):

* key ``lait:<Short Desc>``; name = dictionary ``Measure``; definition = ``Description``.
* polarity ``High``/``Low`` -> the catalogue's words for high/low is good; ``-`` or blank ->
  no judgement.
* unit = ``y_axis_name`` verbatim; value_type inferred from it by :func:`value_type_of`.
* ``Values`` ``-`` -> dropped. No CIs, counts or denominators in LAIT.
* period = published label; year = the calendar year it ends in; period_type from ``Year_Type``
  (pooled labels such as "2014-16" get "3 calendar years pooled").
* revisions: one row per (measure, LA, year), preferring Final > Rev > unmarked > prov. (The
  April 2026 file has no measure with two labels for the same year, so this drops nothing.)
* LA numbers -> GSS codes valid *at the time* (e.g. 825 -> E10000002 before April 2020, then
  E06000060), so ``area_code_original`` records what the code was; 987/988 (Inner/Outer
  London) are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.polarity import HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT
from needsbook.snapshot.codes import DFE_LOOKUP, DFE_NUMBER_TO_REGION, crosswalk
from needsbook.snapshot.ind_common import (
    Meta,
    log,
    period_end_year,
    source_frame,
    to_number,
    with_catalogue,
)

DATA = "dfe_lait/lait_bds_long.parquet"
DICTIONARY = "dfe_lait/lait_data_dictionary.csv"
SOURCE_FILES = (DATA, DICTIONARY)
SOURCE = "DfE LAIT"
URL = "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait"
INNER_OUTER_LONDON = (987, 988)

_POLARITY = {"High": HIGH_IS_GOOD, "Low": LOW_IS_GOOD}  # LAIT dictionary -> catalogue words
_PERIOD_TYPE = {
    "Academic Year": "academic year",
    "Financial Year": "financial year",
    "Calendar Year": "calendar year",
    "Annual": "at 31 March",  # LAC, LACnum, CIN, CPP_rate, CPP_Num: stocks at 31 March
    "Annual (end of Sept)": "at 30 September",
    "Annual - January": "January census",
}
# Month in which a period of each type ends (used to pick the GSS code valid at the time).
_END_MONTH = {
    "academic year": 8,
    "financial year": 3,
    "calendar year": 12,
    "at 31 March": 3,
    "at 30 September": 9,
    "January census": 1,
}
_REVISION_RANK = (("(final", 3), ("(rev", 2), ("(prov", 0))


def value_type_of(unit: str) -> str:
    """Infer a Fingertips-style value type from LAIT's ``y_axis_name``.

    "% gap" -> difference; "% of the school population" (exclusions per 100 pupils) and
    "Rate per ..." -> crude rate; any other "%" or "... rate" -> proportion; "Average ...",
    "Score per pupil", "Case Load" -> mean; "Score" -> score; "Spend", "Unit Cost" -> money;
    everything else ("Number ...", "Entries", "Total cases", "Social Workers", FTE) -> count.
    """
    u = unit.strip().lower()
    if u.startswith("% gap"):
        return "difference"
    if "rate per" in u or u == "% of the school population":
        return "crude rate"
    if "%" in u or u.endswith("rate"):
        return "proportion"
    if "average" in u or "score per" in u or "case load" in u:
        return "mean"
    if u == "score":
        return "score"
    if "spend" in u or "cost" in u:
        return "money"
    return "count"


def _revision_rank(labels: pd.Series) -> pd.Series:
    low = labels.str.lower()
    rank = pd.Series(1, index=labels.index, dtype="int64")
    for marker, r in _REVISION_RANK:
        rank = rank.mask(low.str.contains(marker, regex=False), r)
    return rank


def _period_type(year_type: pd.Series, labels: pd.Series) -> pd.Series:
    base = year_type.map(_PERIOD_TYPE).fillna(year_type.str.lower())
    # "2014-16": three calendar years; "2013/14-15/16": three financial years.
    three_cal = labels.str.fullmatch(r"\d{4}-\d{2}") & labels.map(_spans_three_years)
    three_fin = labels.str.fullmatch(r"\d{4}/\d{2}-\d{2}/\d{2}")
    out = base.mask(three_cal, "3 calendar years pooled")
    return out.mask(three_fin, "3 financial years pooled")


def _spans_three_years(label: str) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{2})", label)
    return bool(m) and (2000 + int(m.group(2))) - int(m.group(1)) == 2


def _number_to_code(
    raw_dir: Path, numbers: pd.Series, years: pd.Series, ptypes: pd.Series
) -> pd.Series:
    """DfE LA number -> GSS code valid when the period ended (regions/England from codes)."""
    lk = pd.read_csv(raw_dir / DFE_LOOKUP, dtype=str)
    lk["n"] = lk["old_la_code"].astype(int)
    lk["first_year"] = lk["first_year"].astype(int)
    lk = lk.sort_values(["n", "first_year", "new_la_code"])
    change = crosswalk(raw_dir).dropna(subset=["change_date"])
    change = change.drop_duplicates("old_code").set_index("old_code")["change_date"]

    out = pd.Series(
        numbers.map(lambda n: DFE_NUMBER_TO_REGION.get(int(n))), index=numbers.index, dtype="object"
    )
    month = ptypes.map(lambda t: next((m for k, m in _END_MONTH.items() if k in t), 12))
    end = pd.to_datetime(
        {"year": years.astype(int), "month": month.astype(int), "day": 1}
    ) + pd.offsets.MonthEnd(0)
    for n, grp in lk.groupby("n", sort=True):
        rows = numbers == n
        if not rows.any():
            continue
        codes = grp["new_la_code"].tolist()
        chosen = pd.Series(codes[-1], index=numbers.index[rows], dtype="object")
        for older in reversed(codes[:-1]):
            if older in change.index:
                before = end[rows] < pd.Timestamp(change[older])
                chosen = chosen.mask(before, older)
        out.loc[rows] = chosen
    return out


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    df = pd.read_parquet(raw_dir / DATA)
    dic = pd.read_csv(raw_dir / DICTIONARY, dtype=str)
    # 14 measures appear twice (under two topics, same definition): keep the first entry.
    dic = dic.drop_duplicates("Measure_short", keep="first").set_index("Measure_short")

    df = df[~df["LA Number"].isin(INNER_OUTER_LONDON)].copy()
    df["value"] = to_number(df["Values"])
    df = df[df["value"].notna()].copy()
    df["year"] = df["Years"].map(period_end_year)
    no_year = df["year"].isna()
    if no_year.any():
        log.info(
            "LAIT: %d rows with period label %s dropped (no year)",
            int(no_year.sum()),
            sorted(df.loc[no_year, "Years"].unique()),
        )
    df = df[~no_year].copy()
    df["year"] = df["year"].astype(int)

    # Revised / final / provisional labels for the same year: keep the latest revision.
    df["rank"] = _revision_rank(df["Years"])
    df = df.sort_values(["Short Desc", "LA Number", "year", "rank"], kind="mergesort")
    dup = df.duplicated(["Short Desc", "LA Number", "year"], keep="last")
    log.info("LAIT: %d superseded revision rows dropped", int(dup.sum()))
    df = df[~dup]

    year_type = df["Short Desc"].map(dic["Year_Type"]).fillna("")
    ptype = _period_type(year_type, df["Years"].astype(str))
    code = _number_to_code(raw_dir, df["LA Number"], df["year"], ptype)
    out = source_frame(
        indicator_id="lait:" + df["Short Desc"],
        code=code.fillna("").astype(str),
        name=df["LA and Regions"],
        period=df["Years"],
        year=df["year"],
        period_type=ptype,
        value=df["value"],
        source=SOURCE,
    )
    out.loc[out["code"] == "", "code"] = np.nan
    metas = [_meta(short, dic.loc[short]) for short in sorted(df["Short Desc"].unique())]
    return out, metas


def _clean(text: object) -> str:
    if pd.isna(text):
        return ""
    return re.sub(r"[ \t]*(\r+\n|\r|\n)[ \t]*", "\n", str(text)).strip()


def _meta(short: str, d: pd.Series) -> Meta:
    owner = re.sub(r"\s+", " ", _clean(d.get("Data Owner (DO) /Supplier and Contact Details")))
    publisher = "Department for Education" if owner in ("", "0", "DfE") else owner
    unit = _clean(d["y_axis_name"])
    urls = re.findall(r"https?://\S+", _clean(d.get("Hyperlink(s)")))
    return with_catalogue(
        Meta(
            indicator_id=f"lait:{short}",
            indicator_name=_clean(d["Measure"]),
            definition=_clean(d["Description"]) or _clean(d["Chart_title"]),
            topic=_clean(d["Topic"]),
            polarity=_POLARITY.get(_clean(d["Polarity"]), NO_JUDGEMENT),
            unit=unit,
            value_type=value_type_of(unit),
            source=SOURCE,
            publisher=publisher,
            source_dataset=(
                "DfE Local Authority Interactive Tool (LAIT) database, measure "
                f"'{short}' (LAIT table: {_clean(d.get('Table_status')) or 'n/a'})"
            ),
            url=urls[0] if urls else URL,
        )
    )

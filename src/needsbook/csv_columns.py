"""What each column of a downloaded or exported CSV holds: its meaning and unit, for the READMEs.

:func:`describe` knows the columns every book download has (``FIXED``), the snapshot tables'
columns (the ``needsbook export`` files, including the Fingertips layout) and the common column
headings of the book's tables; any other column is a heading of the table on the page.
"""

from __future__ import annotations

import re

import pandas as pd

TEXT = "text"
#: The columns of every book download, in their order.
FIXED: dict[str, tuple[str, str]] = {
    "area_code": ("ONS code of the area the book is about", "code"),
    "section": ("the section of the book that shows these data", TEXT),
    "measure": ("what the value measures (a numeric column of the table on the page)", TEXT),
    "value": ("the value (blank when there is none)", "as the unit column says"),
    "unit": ("the unit of the value (persons, percent, rate per 1,000, score, ...)", TEXT),
    "period": ("the period the value refers to (year, financial or academic year)", TEXT),
    "source": ("the publisher and dataset this row's value comes from", TEXT),
}
_KNOWN: dict[str, tuple[str, str]] = {
    # book tables
    "area": ("area name (this area, its region, England or a comparator)", TEXT),
    "code": ("ONS code of the area or district", "code"),
    "type": ("kind of area (county, district, region, country)", TEXT),
    "region": ("region the area is in", TEXT),
    "district": ("district (lower-tier local authority) name", TEXT),
    "sex": ("sex", TEXT),
    "age band": ("age band, in years", "years"),
    "age group": ("age group, in years", "years"),
    "age": ("age, in years", "years"),
    "indicator": ("indicator name", TEXT),
    "indicator_id": ("indicator identifier (publisher prefix and code)", "code"),
    "life stage": ("life stage the indicator belongs to", TEXT),
    "compared with england": ("how the value compares with England's", TEXT),
    "compared with region": ("how the value compares with the region's", TEXT),
    "compared with neighbours": ("how the value compares with the neighbours' average", TEXT),
    "recent trend": ("direction of the recent trend, and whether it is getting better", TEXT),
    "small numbers": ("whether the counts are too small for a firm conclusion", TEXT),
    "95% confidence interval": ("95% confidence interval of the value", "as the value"),
    "lsoa": ("lower-layer super output area (LSOA) code", "code"),
    "name": ("name of the area", TEXT),
    # snapshot tables (needsbook export)
    "area_code": ("ONS code of the area", "code"),
    "period": ("the period the value refers to, as the publisher labels it", TEXT),
    "value": ("the value", "as the unit column says"),
    "unit": ("the unit of the value", TEXT),
    "source": ("the publisher and dataset the row comes from", TEXT),
    "area_name": ("area name", TEXT),
    "area_type": ("kind of area (England, Region, UTLA, District, Former UTLA)", TEXT),
    "parent_code": ("ONS code of the area's parent (region, or England)", "code"),
    "year": ("calendar year the period ends in (mid-year for population estimates)", "year"),
    "population": ("number of people", "persons"),
    "females": ("number of females", "persons"),
    "males": ("number of males", "persons"),
    "persons": ("number of people", "persons"),
    "area_code_original": ("area code as the publisher gave it (differs when recoded)", "code"),
    "series_break": ("why this row is not comparable with earlier ones (blank: it is)", TEXT),
    "indicator_name": ("indicator name", TEXT),
    "period_type": ("kind of period (calendar, financial or academic year, ...)", TEXT),
    "lower_ci_95": ("lower limit of the 95% confidence interval", "as the unit column says"),
    "upper_ci_95": ("upper limit of the 95% confidence interval", "as the unit column says"),
    "lower_ci_99_8": ("lower limit of the 99.8% confidence interval", "as the unit column says"),
    "upper_ci_99_8": ("upper limit of the 99.8% confidence interval", "as the unit column says"),
    "count": ("numerator: number of events or people counted", "number"),
    "denominator": ("denominator: the population the count is out of", "number"),
    "polarity": ("whether a high or a low value is good", TEXT),
    "value_type": ("kind of value (proportion, crude rate, mean, ...)", TEXT),
    "model": ("year of the statistical neighbour model", "year"),
    "dfe_la_code": ("Department for Education local authority number", "code"),
    "rank": ("neighbour rank (1 = closest)", "rank"),
    "neighbour_code": ("ONS code of the neighbour", "code"),
    "neighbour_dfe_la_code": ("Department for Education number of the neighbour", "code"),
    "neighbour_name": ("name of the neighbour", TEXT),
    "neighbour_area_type": ("kind of area the neighbour is", TEXT),
    "closeness": ("how close the neighbour is, as the Department for Education bands it", TEXT),
    "lsoa11_code": ("LSOA (2011) code", "code"),
    "lsoa11_name": ("LSOA (2011) name", TEXT),
    "lsoa21_code": ("LSOA (2021) code", "code"),
    "lsoa21_name": ("LSOA (2021) name", TEXT),
    "lad_code": ("ONS code of the district (lower-tier local authority)", "code"),
    "utla_code": ("ONS code of the upper-tier local authority", "code"),
}
_DOMAINS = {
    "imd": "Index of Multiple Deprivation",
    "income": "income domain",
    "employment": "employment domain",
    "education": "education, skills and training domain",
    "health": "health deprivation and disability domain",
    "crime": "crime domain",
    "barriers": "barriers to housing and services domain",
    "environment": "living environment domain",
    "cyp_education": "children and young people education sub-domain",
}
_DOMAIN_COLUMN = re.compile(r"([a-z_]+)_(rank|decile|score)")
_KIND = {
    "rank": ("rank, 1 = most deprived", "rank"),
    "decile": ("decile, 1 = most deprived 10%", "decile"),
    "score": ("score, higher = more deprived", "score"),
}
#: The Fingertips layout's columns (``needsbook.export_fingertips.COLUMNS``).
FINGERTIPS: dict[str, tuple[str, str]] = {
    "Indicator ID": ("indicator identifier (publisher prefix and code)", "code"),
    "Indicator Name": ("indicator name", TEXT),
    "Parent Code": ("ONS code of the parent area (region, or England)", "code"),
    "Parent Name": ("name of the parent area", TEXT),
    "Area Code": ("ONS code of the area", "code"),
    "Area Name": ("area name", TEXT),
    "Area Type": ("kind of area, as Fingertips names it", TEXT),
    "Sex": ("sex the value is for", TEXT),
    "Age": ("age group the value is for (blank: as the indicator defines)", TEXT),
    "Category Type": ("category type (blank: none)", TEXT),
    "Category": ("category (blank: none)", TEXT),
    "Time period": ("period the value refers to", TEXT),
    "Value": ("the value", "the indicator's unit"),
    "Lower CI 95.0 limit": ("lower limit of the 95% confidence interval", "the indicator's unit"),
    "Upper CI 95.0 limit": ("upper limit of the 95% confidence interval", "the indicator's unit"),
    "Lower CI 99.8 limit": ("lower limit of the 99.8% confidence interval", "the indicator's unit"),
    "Upper CI 99.8 limit": ("upper limit of the 99.8% confidence interval", "the indicator's unit"),
    "Count": ("numerator", "number"),
    "Denominator": ("denominator", "number"),
    "Value note": ("note on the value (blank: none)", TEXT),
    "Recent Trend": ("direction of the recent trend", TEXT),
    "Compared to England value or percentiles": ("comparison with England", TEXT),
    "Compared to percentiles": ("comparison with the region", TEXT),
    "Time period Sortable": ("the period as a sortable number (year, then 0000)", "number"),
    "New data": ("whether the data are new (blank)", TEXT),
    "Compared to goal": ("comparison with a goal (blank: none)", TEXT),
    "Time period range": ("length of the period", TEXT),
}


def describe(column: str, values: pd.Series | None = None, book: bool = True) -> tuple[str, str]:
    """(meaning, unit) of a column of a book download (``book``) or of an exported snapshot
    table; ``values`` tell a number column from a text one."""
    if book and column in FIXED:
        return FIXED[column]
    if column in FINGERTIPS:
        return FINGERTIPS[column]
    key = column.strip().lower()
    if key.endswith(" (table)"):
        meaning, unit = describe(column[: -len(" (table)")], values, book=False)
        return f"{meaning} (the table's own column)", unit
    if key in _KNOWN:
        return _KNOWN[key]
    found = _DOMAIN_COLUMN.fullmatch(key)
    if found and found.group(1) in _DOMAINS:
        meaning, unit = _KIND[found.group(2)]
        return f"{_DOMAINS[found.group(1)]} {meaning}", unit
    numeric = values is not None and pd.api.types.is_numeric_dtype(values)
    return (
        f'the column "{column}" of the table on the page',
        "number" if numeric else TEXT,
    )


def lines(frame: pd.DataFrame, book: bool = True, indent: str = "    ") -> list[str]:
    """One README line per column of ``frame``: ``name: meaning (unit: ...)``."""
    out = []
    for col in (str(c) for c in frame.columns):
        meaning, unit = describe(col, frame[col], book)
        out.append(f"{indent}{col}: {meaning} (unit: {unit})")
    return out

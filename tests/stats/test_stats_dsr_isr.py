"""Directly standardised rates (Dobson) and indirectly standardised ratios and rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_reference import REL, byars_by_hand, poisson_by_hand

from needsbook.errors import InputError
from needsbook.stats import dobson_ci, dsr, esp2013, isr_ci, israte, isratio, normalise_age_band

# ESP2013 as published by Eurostat (2013), typed from the report, not from the package.
ESP = {
    "0-4": 5000, "5-9": 5500, "10-14": 5500, "15-19": 5500, "20-24": 6000, "25-29": 6000,
    "30-34": 6500, "35-39": 7000, "40-44": 7000, "45-49": 7000, "50-54": 7000, "55-59": 6500,
    "60-64": 6000, "65-69": 5500, "70-74": 5000, "75-79": 4000, "80-84": 2500, "85-89": 1500,
    "90+": 1000,
}  # fmt: skip
BANDS = list(ESP)


def dsr_by_hand(obs, pop, w, m, confidence, k=None, total_w=None):
    """Dobson et al. (1991) as written in statistics.md §3.3 (k = events per person).

    One row per age band (per k); ``total_w`` is Σw over the standard's bands.
    """
    obs, pop, w = (np.asarray(a, dtype=float) for a in (obs, pop, w))
    k = np.ones_like(obs) if k is None else np.asarray(k, dtype=float)
    sw = np.sum(w) if total_w is None else total_w
    value = np.sum(k * obs * w / pop) / sw * m
    var = np.sum(k**2 * obs * (w / pop) ** 2) / sw**2
    total = np.sum(k * obs)
    lo, hi = byars_by_hand(total, confidence)
    return (
        value,
        value + np.sqrt(var / total) * (lo - total) * m,
        value + np.sqrt(var / total) * (hi - total) * m,
    )


def area_frame(seed: int, areas=("A", "B")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {
            "area": a,
            "age_band": b,
            "count": int(rng.integers(0, 40)),
            "population": int(rng.integers(500, 9000)),
        }
        for a in areas
        for b in BANDS
    ]
    return pd.DataFrame(rows)


def test_esp2013_table():
    table = esp2013()
    assert table.to_dict() == ESP
    assert table.sum() == 100_000
    assert esp2013(["0 to 4", "5-9", "10–14", "15-19"]).to_dict() == {
        "0-4": 5000, "5-9": 5500, "10-14": 5500, "15-19": 5500
    }  # fmt: skip
    with pytest.raises(InputError, match=r"^bands: not ESP2013 age bands: '0-17'$"):
        esp2013(["0-17"])


@pytest.mark.parametrize(
    ("label", "expected"),
    [("0 to 4", "0-4"), ("00-04", "0-4"), ("90 and over", "90+"), ("90plus", "90+"),
     ("Aged 85-89 years", "85-89"), ("10–14", "10-14"), (" 90+ ", "90+")],
)  # fmt: skip
def test_age_band_labels_are_normalised(label, expected):
    assert normalise_age_band(label) == expected


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_dsr_matches_dobson_by_hand(confidence):
    df = area_frame(1)
    out = dsr(df, group_by="area", confidence=confidence).set_index("area")
    suffix = "95" if confidence == 0.95 else "99_8"
    for area in ["A", "B"]:
        part = df[df.area == area]
        value, lo, hi = dsr_by_hand(
            part["count"], part["population"], part["age_band"].map(ESP), 1e5, confidence
        )
        assert out.loc[area, "value"] == pytest.approx(value, rel=REL)
        assert out.loc[area, f"lower_ci_{suffix}"] == pytest.approx(lo, rel=REL)
        assert out.loc[area, f"upper_ci_{suffix}"] == pytest.approx(hi, rel=REL)
        assert out.loc[area, "total_count"] == part["count"].sum()
        assert out.loc[area, "total_pop"] == part["population"].sum()
    assert (out["method"] == "Dobson").all()
    assert (out["statistic"] == "dsr per 100000").all()


def test_dsr_joins_the_standard_by_label_not_row_order():
    df = area_frame(2)
    shuffled = df.sample(frac=1, random_state=3)
    a = dsr(df, group_by="area", confidence=(0.95, 0.998), multiplier=10_000)
    b = dsr(shuffled, group_by="area", confidence=(0.95, 0.998), multiplier=10_000)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[0, "statistic"] == "dsr per 10000"


def test_dsr_with_a_user_standard_for_children():
    bands = ["0-4", "5-9", "10-14", "15-19"]
    df = area_frame(4, areas=("A",))
    df = df[df.age_band.isin(bands)]
    weights = {"15-19": 3, "0-4": 1, "5-9": 1, "10-14": 2}  # keyed by label, any order
    df.loc[df.index[0], "count"] = 30  # make sure total >= 10
    out = dsr(df, standard=weights)
    value, lo, _hi = dsr_by_hand(
        df["count"], df["population"], df["age_band"].map(weights), 1e5, 0.95
    )
    assert out.loc[0, "value"] == pytest.approx(value, rel=REL)
    assert out.loc[0, "lower_ci_95"] == pytest.approx(lo, rel=REL)
    out2 = dsr(df, standard=esp2013(bands))
    value2, *_ = dsr_by_hand(df["count"], df["population"], df["age_band"].map(ESP), 1e5, 0.95)
    assert out2.loc[0, "value"] == pytest.approx(value2, rel=REL)


def test_dsr_standard_in_a_column():
    df = area_frame(5)
    df["std"] = df["age_band"].map(ESP)
    a = dsr(df, group_by="area", standard="std")
    b = dsr(df.drop(columns="std"), group_by="area")
    pd.testing.assert_frame_equal(a, b)


def test_dsr_withheld_below_ten_events_and_missing_counts_are_zero():
    df = area_frame(6, areas=("A",))
    df["count"] = 0.0
    df.loc[df.index[:3], "count"] = [3, 5, np.nan]  # total 8 (missing counts as 0)
    out = dsr(df, confidence=(0.95, 0.998))
    assert out.loc[0, "total_count"] == 8
    assert (
        out.loc[0, ["value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]]
        .isna()
        .all()
    )
    assert out.loc[0, "statistic"] == "dsr NA for total count < 10"
    df.loc[df.index[2], "count"] = 2  # total 10 -> published
    out = dsr(df)
    assert not np.isnan(out.loc[0, "value"])


def test_dsr_missing_population_gives_missing_output():
    df = area_frame(7)
    df.loc[df.index[0], "population"] = np.nan
    out = dsr(df, group_by="area").set_index("area")
    assert np.isnan(out.loc["A", "value"]) and np.isnan(out.loc["A", "total_pop"])
    assert out.loc["A", "statistic"] == "dsr NA for missing population"
    assert not np.isnan(out.loc["B", "value"])


def test_dsr_non_independent_events():
    base = area_frame(8, areas=("A",))
    rows = []
    for _, r in base.iterrows():
        for k, persons in [(1, r["count"]), (2, r["count"] // 3), (3, 1)]:
            rows.append(
                {
                    "age_band": r["age_band"],
                    "k": k,
                    "persons": persons,
                    "population": r["population"],
                }
            )
    df = pd.DataFrame(rows)
    out = dsr(df, x="persons", event_frequency="k", confidence=0.998)
    value, lo, hi = dsr_by_hand(
        df["persons"],
        df["population"],
        df["age_band"].map(ESP),
        1e5,
        0.998,
        k=df["k"],
        total_w=100_000,
    )
    assert out.loc[0, "value"] == pytest.approx(value, rel=REL)
    assert out.loc[0, "lower_ci_99_8"] == pytest.approx(lo, rel=REL)
    assert out.loc[0, "upper_ci_99_8"] == pytest.approx(hi, rel=REL)
    assert out.loc[0, "total_count"] == (df["k"] * df["persons"]).sum()
    assert out.loc[0, "total_pop"] == base["population"].sum()
    assert out.loc[0, "method"] == "Dobson, with confidence adjusted for non-independent events"


def test_dobson_ci_low_level():
    lower, upper = dobson_ci(500.0, 4e-6, 100, confidence=0.95, multiplier=100_000)
    lo, hi = byars_by_hand(100, 0.95)
    assert lower == pytest.approx(500 + np.sqrt(4e-6 / 100) * (lo - 100) * 1e5, rel=REL)
    assert upper == pytest.approx(500 + np.sqrt(4e-6 / 100) * (hi - 100) * 1e5, rel=REL)


def test_dsr_errors():
    df = area_frame(9)
    bad = df.copy()
    bad.loc[3, "count"] = -1
    with pytest.raises(
        InputError,
        match=(
            r"^x \(column 'count'\): numerators must be greater than or "
            r"equal to zero \(offending row 3\)$"
        ),
    ):
        dsr(bad, group_by="area")
    bad = df.copy()
    bad.loc[[4, 25], "population"] = 0
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'population'\): denominators must be greater "
            r"than zero \(offending rows 4, 25\)$"
        ),
    ):
        dsr(bad, group_by="area")
    bad = df.copy()
    bad.loc[5, "age_band"] = "5-10"
    with pytest.raises(
        InputError,
        match=(
            r"^age_band \(column 'age_band'\): mismatched standard "
            r"populations: age bands '5-10' are not in the standard "
            r"population \(offending row 5\)$"
        ),
    ):
        dsr(bad, group_by="area")
    with pytest.raises(
        InputError,
        match=(
            r"^age_band \(column 'age_band'\): mismatched standard "
            r"populations: every group needs all 19 age bands of the "
            r"standard; group\(s\) B lack some \(the first lacks '90\+'\)$"
        ),
    ):
        dsr(df.drop(index=[37]), group_by="area")
    with pytest.raises(
        InputError,
        match=(
            r"^age_band \(column 'age_band'\): each age band may appear "
            r"only once per group \(offending rows 0, 38\)$"
        ),
    ):
        dsr(pd.concat([df, df.iloc[[0]]], ignore_index=True), group_by="area")
    bad = df.copy()
    bad.loc[6, "age_band"] = None
    with pytest.raises(
        InputError,
        match=(
            r"^age_band \(column 'age_band'\): age bands must not be "
            r"missing \(offending row 6\)$"
        ),
    ):
        dsr(bad, group_by="area")
    df["std"] = df["age_band"].map(ESP).astype(float)
    bad = df.copy()
    bad.loc[2, "std"] = np.nan
    with pytest.raises(
        InputError,
        match=(
            r"^standard \(column 'std'\): standard populations must not "
            r"be missing \(offending row 2\)$"
        ),
    ):
        dsr(bad, group_by="area", standard="std")
    bad.loc[2, "std"] = -5
    with pytest.raises(
        InputError,
        match=(
            r"^standard \(column 'std'\): standard populations must be "
            r"greater than or equal to zero \(offending row 2\)$"
        ),
    ):
        dsr(bad, group_by="area", standard="std")
    with pytest.raises(
        InputError,
        match=(
            r"^standard: standard populations must be greater than or "
            r"equal to zero \(offending row '0-4'\)$"
        ),
    ):
        dsr(df, group_by="area", standard={**ESP, "0-4": -1})
    with pytest.raises(
        InputError,
        match=r"^standard: standard populations must not be missing \(offending row '0-4'\)$",
    ):
        dsr(df, group_by="area", standard={**ESP, "0-4": np.nan})
    with pytest.raises(
        InputError,
        match=(
            r"^standard: age bands must be unique in the standard "
            r"population \(offending row '0 to 4'\)$"
        ),
    ):
        dsr(df, group_by="area", standard={**ESP, "0 to 4": 1})
    with pytest.raises(
        InputError,
        match=(
            r"^event_frequency \(column 'k'\): event frequencies must be "
            r"1 or more \(offending row 0\)$"
        ),
    ):
        dsr(df.assign(k=[0] + [1] * 37), group_by="area", event_frequency="k")
    two = pd.concat(
        [df.assign(k=1), df.assign(k=2, population=df["population"] + 1)], ignore_index=True
    )
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'population'\): the population of an age band "
            r"must be the same on every event-frequency row"
        ),
    ):
        dsr(two, group_by="area", event_frequency="k")


# -- indirect standardisation ---------------------------------------------------------
@pytest.fixture
def isr_frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ref_count = rng.integers(50, 500, len(BANDS))
    ref_pop = rng.integers(50_000, 90_000, len(BANDS))
    rows = []
    for area, scale in [("A", 1), ("B", 0.02)]:
        for i, b in enumerate(BANDS):
            pop = int(rng.integers(1000, 6000))
            expected = pop * ref_count[i] / ref_pop[i] * scale
            rows.append({
                "area": area, "age_band": b, "count": int(rng.poisson(expected)),
                "population": pop, "ref_count": ref_count[i], "ref_population": ref_pop[i],
            })  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_isratio_by_hand(isr_frame, confidence):
    out = isratio(isr_frame, group_by="area", confidence=confidence, refvalue=100).set_index("area")
    suffix = "95" if confidence == 0.95 else "99_8"
    for area in ["A", "B"]:
        p = isr_frame[isr_frame.area == area]
        expected = np.sum(p["population"] * p["ref_count"] / p["ref_population"])
        observed = p["count"].sum()
        lo, hi = poisson_by_hand(observed, confidence)
        assert out.loc[area, "expected"] == pytest.approx(expected, rel=REL)
        assert out.loc[area, "value"] == pytest.approx(observed / expected * 100, rel=REL)
        assert out.loc[area, f"lower_ci_{suffix}"] == pytest.approx(lo / expected * 100, rel=REL)
        assert out.loc[area, f"upper_ci_{suffix}"] == pytest.approx(hi / expected * 100, rel=REL)
        assert out.loc[area, "method"] == ("Exact" if observed < 10 else "Byars")
    assert out.loc["A", "statistic"] == "indirectly standardised ratio x 100"
    assert out.loc["B", "observed"] < 10  # the exact branch is exercised


def test_israte_by_hand(isr_frame):
    out = israte(isr_frame, group_by="area", confidence=(0.95, 0.998), multiplier=1000).set_index(
        "area"
    )
    p = isr_frame[isr_frame.area == "A"]
    expected = np.sum(p["population"] * p["ref_count"] / p["ref_population"])
    ref_rate = p["ref_count"].sum() / p["ref_population"].sum()
    observed = p["count"].sum()
    assert out.loc["A", "value"] == pytest.approx(observed / expected * ref_rate * 1000, rel=REL)
    _lo, hi = poisson_by_hand(observed, 0.998)
    assert out.loc["A", "upper_ci_99_8"] == pytest.approx(hi / expected * ref_rate * 1000, rel=REL)
    assert out.loc["A", "statistic"] == "indirectly standardised rate per 1000"


def test_isratio_reference_tables_joined_by_label(isr_frame):
    ref = isr_frame[isr_frame.area == "A"].set_index("age_band")
    x_ref = ref["ref_count"].sample(frac=1, random_state=1)  # shuffled: joined by label
    n_ref = ref["ref_population"].to_dict()
    data = isr_frame.drop(columns=["ref_count", "ref_population"])
    a = isratio(data, group_by="area", x_ref=x_ref, n_ref=n_ref, age_band="age_band")
    b = isratio(isr_frame, group_by="area")
    pd.testing.assert_frame_equal(a, b)
    rate_a = israte(data, group_by="area", x_ref=x_ref, n_ref=n_ref, age_band="age_band")
    rate_b = israte(isr_frame, group_by="area")
    pd.testing.assert_frame_equal(rate_a, rate_b)


def test_isratio_observed_totals(isr_frame):
    totals = isr_frame.groupby("area", as_index=False)["count"].sum()
    a = isratio(isr_frame.drop(columns="count"), x="count", group_by="area", observed_totals=totals)
    b = isratio(isr_frame, group_by="area")
    pd.testing.assert_frame_equal(a, b)
    one = isr_frame[isr_frame.area == "A"]
    c = isratio(one.drop(columns="count"), observed_totals=float(one["count"].sum()))
    d = isratio(one)
    pd.testing.assert_frame_equal(c, d)
    e = isratio(
        one.drop(columns="count"), observed_totals=pd.DataFrame({"count": [one["count"].sum()]})
    )
    pd.testing.assert_frame_equal(e, d)


def test_isratio_zero_population_bands_and_missing():
    df = pd.DataFrame({
        "count": [5, 0, np.nan], "population": [1000, 0, 500], "ref_count": [10, 20, 30],
        "ref_population": [10_000, 10_000, 10_000],
    })  # fmt: skip
    out = isratio(df)
    expected = 1000 * 10 / 10_000 + 0 + 500 * 30 / 10_000
    assert out.loc[0, "expected"] == pytest.approx(expected, rel=REL)
    assert out.loc[0, "observed"] == 5
    df.loc[0, "population"] = np.nan
    assert np.isnan(isratio(df).loc[0, "value"])


def test_isr_ci_low_level():
    lower, upper = isr_ci(np.array([3, 40]), np.array([5.0, 32.0]), 0.95, refvalue=100)
    lo, hi = poisson_by_hand(3, 0.95)
    assert lower[0] == pytest.approx(lo / 5 * 100, rel=REL)
    lo, hi = poisson_by_hand(40, 0.95)
    assert upper[1] == pytest.approx(hi / 32 * 100, rel=REL)
    assert np.isnan(isr_ci(3, 0)[0])
    with pytest.raises(
        InputError, match=r"^expected: expected counts must be greater than or equal to zero"
    ):
        isr_ci(3, -1)
    with pytest.raises(InputError, match=r"^refvalue: must be a positive number"):
        isr_ci(3, 1, refvalue=-1)


def test_isr_errors(isr_frame):
    bad = isr_frame.copy()
    bad.loc[1, "population"] = -1
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'population'\): populations must be greater "
            r"than or equal to zero \(offending row 1\)$"
        ),
    ):
        isratio(bad)
    bad = isr_frame.copy()
    bad.loc[2, "ref_population"] = 0
    with pytest.raises(
        InputError,
        match=(
            r"^n_ref \(column 'ref_population'\): reference populations "
            r"must be greater than zero \(offending row 2\)$"
        ),
    ):
        isratio(bad)
    bad.loc[2, "ref_population"] = np.nan
    with pytest.raises(
        InputError,
        match=(
            r"^n_ref \(column 'ref_population'\): reference populations "
            r"must not be missing \(offending row 2\)$"
        ),
    ):
        isratio(bad)
    bad = isr_frame.copy().astype({"ref_count": float})
    bad.loc[3, "ref_count"] = -2
    with pytest.raises(
        InputError,
        match=(
            r"^x_ref \(column 'ref_count'\): reference counts must be "
            r"greater than or equal to zero \(offending row 3\)$"
        ),
    ):
        isratio(bad)
    bad.loc[3, "ref_count"] = np.nan
    with pytest.raises(
        InputError,
        match=(
            r"^x_ref \(column 'ref_count'\): reference counts must not be "
            r"missing \(offending row 3\)$"
        ),
    ):
        isratio(bad)
    bad = isr_frame.copy()
    bad.loc[4, "count"] = -3
    with pytest.raises(
        InputError,
        match=(
            r"^x \(column 'count'\): numerators must be greater than or "
            r"equal to zero \(offending row 4\)$"
        ),
    ):
        isratio(bad)
    with pytest.raises(InputError, match=r"^x: give an observed-count column or observed_totals$"):
        isratio(isr_frame, x=None)
    with pytest.raises(
        InputError, match=r"^x_ref: a table of reference values needs the age_band argument$"
    ):
        isratio(isr_frame, x_ref={"0-4": 1})
    with pytest.raises(
        InputError,
        match=r"^x_ref: age bands '90\+' are not in the reference \(offending rows 18, 37\)$",
    ):
        isratio(isr_frame, x_ref={b: 1 for b in BANDS[:-1]}, age_band="age_band")
    with pytest.raises(
        InputError,
        match=r"^x_ref: age bands must be unique in the reference \(offending row '00-04'\)$",
    ):
        isratio(isr_frame, x_ref={**{b: 1 for b in BANDS}, "00-04": 2}, age_band="age_band")
    with pytest.raises(
        InputError,
        match=(
            r"^observed_totals: with group_by give a table with the group "
            r"columns and the x column$"
        ),
    ):
        isratio(isr_frame, group_by="area", observed_totals=5)
    with pytest.raises(
        InputError,
        match=(
            r"^observed_totals: without group_by give a number or a "
            r"one-row table with the x column$"
        ),
    ):
        isratio(isr_frame, observed_totals=pd.DataFrame({"count": [1, 2]}))
    with pytest.raises(
        InputError,
        match=r"^observed_totals: each group may appear only once \(offending rows 0, 1\)$",
    ):
        isratio(
            isr_frame,
            group_by="area",
            observed_totals=pd.DataFrame({"area": ["A", "A"], "count": [1, 2]}),
        )
    with pytest.raises(
        InputError,
        match=(
            r"^observed_totals \(column 'count'\): numerators must be "
            r"greater than or equal to zero \(offending row 0\)$"
        ),
    ):
        isratio(
            isr_frame, group_by="area", observed_totals=pd.DataFrame({"area": ["A"], "count": [-1]})
        )
    with pytest.raises(
        InputError,
        match=(
            r"^observed_totals: numerators must be greater than or equal "
            r"to zero \(offending row 0\)$"
        ),
    ):
        isratio(isr_frame, observed_totals=-1)

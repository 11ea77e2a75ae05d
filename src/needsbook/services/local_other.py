"""Distance travelled, reasons for EHAs, specialist midwifery coverage against need,
health-visiting mandated reviews and family support outcomes (as in the Worcestershire 2015
needs assessment's Tables 5 and 6 and its specialist midwifery text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needsbook.formatting import COUNT_DP, MEAN_DP, PERCENT_DP
from needsbook.local import family_outcomes_cumulative, hv_coverage, specialist_midwifery_coverage
from needsbook.local.templates import ALL, PRIMARY_FAMILY_OUTCOMES
from needsbook.services.common import (
    LocalContext,
    latest_period,
    period_label,
    suppress,
)
from needsbook.services.local_eha import QUINTILE_NAMES

#: Coverage target for every mandated review, unless the council sets its own. There is no
#: national target; 90% is a common local performance standard (an assumption, stated).
HV_TARGET = 90.0
HV_KEYS = {
    "antenatal": "antenatal",
    "new_birth_14_days": "new_birth",
    "6_8_weeks": "6_8_weeks",
    "12_months": "12_months",
    "2_2_5_years": "2_2.5_years",
}
HV_NAMES = {
    "antenatal": "Antenatal contact",
    "new_birth_14_days": "New birth visit within 14 days",
    "6_8_weeks": "6-8 week review",
    "12_months": "12-month review",
    "2_2_5_years": "2-2.5 year review",
}
OUTCOME_NAMES = {
    "education_crime_asb": "Education and crime/anti-social behaviour",
    "continuous_employment": "Continuous employment",
    "esf_only": "European Social Fund (ESF) only",
    "progress_to_work": "Progress to work (additional payment)",
    "additional_esf_only": "ESF only (additional payment)",
    "additional_progress_to_work": "Progress to work (additional payment, second row)",
}


def distance(ctx: LocalContext) -> pd.DataFrame | None:
    """Mean change in the 1-5 score from start to end of an EHA, by IMD quintile."""
    dt = ctx.table("eha_distance_travelled")
    if dt is None or dt.empty:
        return None
    period = latest_period(dt)
    d = dt[dt["period"] == period]
    q = d["imd_quintile"].astype(str)
    out = pd.DataFrame(
        {
            "Period": period_label(period),
            "IMD quintile": q.map(QUINTILE_NAMES).fillna(q.replace({ALL: "All quintiles"})),
            "Closed EHAs with both scores": d["cases"].astype("float64").to_numpy(),
            "Mean score at start": d["mean_pre"].astype("float64").to_numpy(),
            "Mean score at end": d["mean_post"].astype("float64").to_numpy(),
            "Mean change (score points)": d["mean_change"].astype("float64").to_numpy(),
        }
    )
    derived = ["Mean score at start", "Mean score at end", "Mean change (score points)"]
    out = suppress(
        out, "Closed EHAs with both scores", derived, dims=["IMD quintile"], total="All quintiles"
    )
    out.attrs.update(
        period="Period",
        decimals=dict.fromkeys(derived, MEAN_DP),
        units={
            "Closed EHAs with both scores": "count",
            "Mean score at start": "score (1-5)",
            "Mean score at end": "score (1-5)",
            "Mean change (score points)": "score points",
        },
    )
    return out


def reasons(ctx: LocalContext) -> pd.DataFrame | None:
    """% of EHAs citing each reason (one EHA may cite several)."""
    r = ctx.table("eha_reasons")
    if r is None or r.empty:
        return None
    period = latest_period(r)
    d = r[r["period"] == period]
    out = pd.DataFrame(
        {
            "Period": period_label(period),
            "Reason": d["reason"].to_numpy(),
            "EHAs citing the reason": d["assessments_citing"].astype("float64").to_numpy(),
            "% of EHAs citing the reason": (
                d["assessments_citing"] / d["assessments_total"] * 100
            ).to_numpy(),
        }
    )
    out = out.sort_values("% of EHAs citing the reason", ascending=False)
    # one EHA can cite several reasons: the rows do not add up to a total, so a hidden count
    # cannot be worked out by subtraction and only counts of 1-4 are hidden
    out = suppress(
        out.reset_index(drop=True), "EHAs citing the reason", ["% of EHAs citing the reason"]
    )
    out.attrs.update(
        period="Period",
        units={"EHAs citing the reason": "count", "% of EHAs citing the reason": "percent"},
    )
    return out


def intensive_share_open(ctx: LocalContext) -> float:
    """The open need model's % of 0-4 year olds likely to need intensive help (the nearest
    open proxy for the intensive-need share of births)."""
    band = ctx.need_by_band.set_index("band")
    return float(band.loc["0-4", "intensive_pct"])


def midwifery(ctx: LocalContext) -> pd.DataFrame | None:
    """Specialist midwifery referrals as % of births against the intensive-need share."""
    sm = ctx.table("specialist_midwifery")
    if sm is None or sm.empty:
        return None
    c = specialist_midwifery_coverage(sm, intensive_share_open(ctx))
    out = pd.DataFrame(
        {
            "Period": c["period"],
            "Referrals": c["referrals"].astype("float64"),
            "Births": c["births"].astype("float64"),
            "Referrals as % of births": c["coverage_percent"].round(PERCENT_DP),
            "% of births likely to need intensive help": c["need_percent"].round(PERCENT_DP),
            "Gap (percentage points)": c["gap_points"].round(PERCENT_DP),
            "Gap (births a year)": c["gap_births"].round(COUNT_DP),
        }
    )
    derived = ["Referrals as % of births", "Gap (percentage points)", "Gap (births a year)"]
    out = suppress(out, "Referrals", derived, denominators=["Births"])
    need_period = f"mid-{ctx.population_year}"
    out.attrs.update(
        period="Period",
        decimals=dict.fromkeys(derived[:2], PERCENT_DP)
        | {
            "% of births likely to need intensive help": PERCENT_DP,
            "Gap (births a year)": COUNT_DP,
        },
        units={
            "Referrals": "count",
            "Births": "count",
            "Referrals as % of births": "percent",
            "% of births likely to need intensive help": "percent",
            "Gap (percentage points)": "percentage points",
            "Gap (births a year)": "births a year",
        },
        periods={
            "% of births likely to need intensive help": need_period,
            "Gap (percentage points)": (out["Period"] + f"; need {need_period}").tolist(),
            "Gap (births a year)": (out["Period"] + f"; need {need_period}").tolist(),
        },
    )
    return out


def health_visiting(ctx: LocalContext, target: float = HV_TARGET) -> pd.DataFrame | None:
    """Coverage of each mandated review per quarter (completed in time / due x 100)."""
    hv = ctx.table("health_visiting_reviews")
    if hv is None or hv.empty:
        return None
    c = hv_coverage(hv)
    out = pd.DataFrame(
        {
            "Quarter": c["quarter"],
            "Review": c["review"].map(HV_NAMES),
            "Completed in time": c["completed"].astype("float64"),
            "Due": c["due"].astype("float64"),
            "Coverage %": c["percent"].astype("float64").round(PERCENT_DP),
            "Target %": target,
        }
    )
    out = suppress(out, "Completed in time", ["Coverage %"], denominators=["Due"])
    out["Meets the target"] = np.where(
        out["Coverage %"].isna(), "not shown", np.where(out["Coverage %"] >= target, "Yes", "No")
    )
    out.attrs.update(
        period="Quarter",
        decimals={"Coverage %": PERCENT_DP, "Target %": PERCENT_DP},
        units={
            "Completed in time": "count",
            "Due": "count",
            "Coverage %": "percent",
            "Target %": "percent",
        },
        review_codes=list(c["review"]),
    )
    return out


def hv_latest(ctx: LocalContext) -> pd.DataFrame:
    """Latest quarter's coverage per review with its finding key (from the published table:
    missing where the table hides it)."""
    hv = health_visiting(ctx)
    if hv is None:
        return pd.DataFrame()
    c = pd.DataFrame(
        {
            "quarter": hv["Quarter"],
            "review": hv.attrs["review_codes"],
            "percent": hv["Coverage %"],
        }
    )
    c = c.sort_values("quarter", kind="stable").groupby("review").tail(1)  # keeps a hidden %
    c = c.sort_values("review").reset_index(drop=True)
    c["key"] = "hv_coverage:" + c["review"].map(HV_KEYS)
    c["name"] = c["review"].map(HV_NAMES)
    return c


def family(ctx: LocalContext) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Families with a primary results claim per round and cumulative (Table 6), and the
    claims by outcome over all rounds. Per-round claims by outcome are not shown: several are
    1-4, and rounds' totals would disclose them by subtraction."""
    fam = ctx.table("family_support_outcomes")
    if fam is None or fam.empty:
        return None
    cum = family_outcomes_cumulative(fam)
    rounds = pd.DataFrame(
        {
            "Programme": cum["programme"],
            "Claim round": cum["claim_month"],
            "Families with a results claim": cum["families"].astype("float64"),
            "Cumulative families": cum["cumulative_families"].astype("float64"),
        }
    )
    # the rounds add up to the families counted by outcome (shown below): a lone hidden round
    # gets a second one hidden, and running totals from the first hidden round on are hidden
    rounds = suppress(
        rounds, "Families with a results claim", ["Cumulative families"], secondary_by="Programme"
    )
    hidden = rounds["Small numbers"].ne("").groupby(rounds["Programme"]).cummax()
    rounds.loc[hidden, "Cumulative families"] = np.nan
    rounds.attrs.update(
        period="Claim round",
        units={"Families with a results claim": "families", "Cumulative families": "families"},
    )
    by = fam.groupby(["programme", "outcome"], as_index=False, sort=False)["claims"].sum()
    outcomes = pd.DataFrame(
        {
            "Programme": by["programme"],
            "Outcome": by["outcome"].map(OUTCOME_NAMES).fillna(by["outcome"]),
            "Counts families": np.where(
                by["outcome"].isin(PRIMARY_FAMILY_OUTCOMES), "Yes", "No (extra payment)"
            ),
            "Claims, all rounds": by["claims"].astype("float64"),
        }
    )
    outcomes = suppress(
        outcomes, "Claims, all rounds", secondary_by=[["Programme", "Counts families"]]
    )
    span = f"{fam['claim_month'].min()} to {fam['claim_month'].max()}"
    outcomes.attrs.update(period=f"claim rounds {span}", units={"Claims, all rounds": "claims"})
    return rounds, outcomes

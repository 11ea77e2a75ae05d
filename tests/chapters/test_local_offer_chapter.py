"""The local early help offer page: the template and its checks (hostile and malformed rows
name file, column and rows), the offer by level of need and life stage, the mapping against the
outcomes of concern (a constructed match, gap and unmatched outcome), the Halton worked example,
and the page without the council's offer; for areas at the edges of the data."""

from __future__ import annotations

import csv
import dataclasses
import functools
import shutil
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from needsbook.chapters import local_offer as lo
from needsbook.chapters.display import table_html
from needsbook.errors import InputError
from needsbook.local import TEMPLATES, load_local
from needsbook.local.templates import LEVELS_OF_NEED, OUTCOME_WORDS
from needsbook.offer import terms
from needsbook.offer.match import ADDRESSED, GAP, UNMATCHED, match, offer_frame
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.findings import Finding, findings
from needsbook.testing.reader_text import check_text

YEAR = 2025
AREAS = {"E10000034": "Worcestershire", "E06000017": "Rutland", "E06000053": "Isles of Scilly"}
ROOT = Path(__file__).resolve().parents[2]
HALTON = ROOT / "data" / "examples" / "E06000006"
HEADER = TEMPLATES["local_offer"].column_names
OFFER = [
    [
        "Health visiting",
        "universal",
        "0",
        "4",
        "NHS trust",
        "physical health; child development",
        "Home visits",
        "",
    ],
    ["Health visiting", "targeted", "0", "4", "NHS trust", "Mental health", "", ""],
    ["Youth service", "early help", "11", "19", "", "crime; education", "", "0800 000 000"],
    ["Parenting line", "universal", "", "", "", "mental health", "Telephone", ""],
    ["<script>alert(1)</script>", "specialist", "0", "25", "", "abuse_neglect", "", ""],
]


def write_offer(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "local_offer.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return folder


@functools.cache
def chapter(code: str, local: str | None = None) -> lo.LocalOfferChapter:
    return lo.build(code, YEAR, local_dir=local)


@pytest.fixture(scope="module")
def local_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("offer-local")
    for code in AREAS:
        write_offer(root / code, OFFER)
    return root


def problems(folder: Path, area: str = "E06000017") -> str:
    with pytest.raises(InputError) as err:
        load_local(folder, area)
    return str(err.value)


# --- the template and its checks -----------------------------------------------------------


def test_words_and_levels_agree_with_the_catalogue_and_the_page() -> None:
    assert set(OUTCOME_WORDS) == set(load_catalogue().star_domains)
    words = [w for ws in OUTCOME_WORDS.values() for w in ws]
    assert len(words) == len(set(words))  # a word names one domain
    assert LEVELS_OF_NEED == ("universal", "early help", "targeted", "specialist")
    assert terms.domains_of("Early_Development; school readiness ;MENTAL HEALTH;;") == [
        "early_development",
        "mental_health",
    ]
    assert terms.domains_of("Obesity and physical health") == ["obesity_physical"]
    assert terms.cell_problem("happiness; crime") is not None
    assert terms.cell_problem(" ; ") == "must name at least one outcome domain"
    assert terms.cell_problem("crime; Abuse and neglect") is None


def test_malformed_rows_name_file_column_and_rows(tmp_path: Path) -> None:
    rows = [
        OFFER[0],  # row 2: fine
        ["Bad level", "Universal", "0", "4", "", "crime", "", ""],  # row 3
        ["Ages reversed", "targeted", "9", "3", "", "crime", "", ""],  # row 4
        ["Too old", "targeted", "0", "30", "", "crime", "", ""],  # row 5
        ["Half a year", "targeted", "2.5", "4", "", "crime", "", ""],  # row 6
        ["One age", "targeted", "3", "", "", "crime", "", ""],  # row 7
        ["Not a number", "targeted", "three", "4", "", "crime", "", ""],  # row 8
        ["Unknown outcome", "targeted", "0", "4", "", "happiness; crime", "", ""],  # row 9
        ["No outcome", "targeted", "0", "4", "", ";", "", ""],  # row 10
        ["Health visiting", "universal", "0", "4", "", "crime", "", ""],  # row 11: repeats row 2
        ["Negative", "targeted", "-1", "4", "", "crime", "", ""],  # row 12
        ["No outcome at all", "targeted", "0", "4", "", "", "", ""],  # row 13
    ]
    message = problems(write_offer(tmp_path / "E06000017", rows))
    expected = [
        "local_offer.csv: column 'level_of_need', row 3: must be one of universal, early help, "
        "targeted, specialist",
        "local_offer.csv: column 'age_from', row 4: must not exceed 'age_to'",
        "local_offer.csv: column 'age_to', row 5: must be between 0 and 25",
        "local_offer.csv: column 'age_from', row 6: must be a whole number of years",
        "local_offer.csv: column 'age_from', row 7: give both 'age_from' and 'age_to', or neither",
        "local_offer.csv: column 'age_from', row 8: must be a number (found 'three')",
        "local_offer.csv: column 'outcomes_sought', row 9: unknown outcome domain 'happiness'",
        "local_offer.csv: column 'outcomes_sought', row 10: must name at least one outcome domain",
        "local_offer.csv: column 'service, level_of_need', rows 2, 11: duplicated rows",
        "local_offer.csv: column 'age_from', row 12: must be between 0 and 25",
        "local_offer.csv: column 'outcomes_sought', row 13: must not be blank",
    ]
    for line in expected:
        assert line in message, line
    assert "nan" not in message  # valid cells are never reported
    assert message.count("\n  - ") == len(expected)


def test_hostile_text_is_refused_or_kept_as_text(tmp_path: Path) -> None:
    rows = [
        ["Tab\there", "universal", "0", "4", "", "crime", "", ""],  # row 2
        ["Bell\x07", "universal", "0", "4", "", "crime", "", ""],  # row 3
        ["Zero\u200bwidth", "universal", "0", "4", "", "crime", "", ""],  # row 4
        ["x" * 101, "universal", "0", "4", "", "crime", "", ""],  # row 5
        ["Fine", "universal", "0", "4", "", "crime\x07", "", ""],  # row 6
        ["Also fine", "universal", "0", "4", "", "crime", "", "line\nbreak"],  # row 7 (quoted)
    ]
    message = problems(write_offer(tmp_path / "E06000017", rows))
    assert "column 'service', row 2: must be printable text" in message
    assert "column 'service', row 3: must be printable text" in message
    assert "U+0007" in message and "U+200B" in message
    assert "column 'service', row 5: must be at most 100 characters" in message
    assert "column 'outcomes_sought', row 6: must be printable text" in message
    assert "column 'contact', row 7: must be printable text" in message
    # text that is printable but hostile is valid data, shown as text (see the page test)
    ok = write_offer(tmp_path / "ok" / "E06000017", [OFFER[4]])
    assert load_local(ok, "E06000017")["local_offer"]["service"].iloc[0] == OFFER[4][0]


def test_wrong_header_and_file_name(tmp_path: Path) -> None:
    header = [c if c != "outcomes_sought" else "outcomes" for c in HEADER]
    message = problems(write_offer(tmp_path / "E06000017", [OFFER[0]], header))
    assert "local_offer.csv: column 'outcomes_sought' is missing" in message
    assert "local_offer.csv: column 'outcomes' is not a column of this template" in message
    other = tmp_path / "x" / "E06000017"
    write_offer(other, [OFFER[0]])
    (other / "local_offer.csv").rename(other / "Local_Offer.csv")
    assert "Local_Offer.csv: file names are lower case" in problems(other)


# --- the mapping ------------------------------------------------------------------------------


@functools.cache
def _real() -> dict[str, Finding]:
    return {f.indicator_id: f for f in findings("E10000034", YEAR)}


def concern(indicator_id: str) -> Finding:
    """A real finding made of concern (significantly worse than England)."""
    base = _real()[indicator_id]
    return dataclasses.replace(
        base, value=1.0, direction="worse", significant=True, method="confidence interval"
    )


def test_the_mapping_finds_a_match_a_gap_and_an_unmatched_outcome() -> None:
    offer = offer_frame(
        pd.DataFrame(
            [
                ["Speech and language", "targeted", 0, 4, None, "communication", None, None],
                ["Family hub", "universal", 0, 4, None, "obesity; crime", None, None],
                ["Youth work", "early help", None, None, None, "crime", None, None],
                ["Teen service", "targeted", 13, 19, None, "mental health", None, None],
            ],
            columns=HEADER,
        )
    )
    items = [
        concern("lait:FSP_NEW_GOODDEV"),  # early years, early child development
        concern("lait:FirstYJS"),  # adolescence, crime
        concern("lait:ChildPov"),  # no outcome domain
        concern("lait:6wksBreast"),  # no star domain: matched through physical health
    ]
    assert all(f.of_concern for f in items)
    m = match(items, offer)
    assert [x.status for x in m] == [ADDRESSED, GAP, UNMATCHED, ADDRESSED]
    assert m[0].services == [{"service": "Speech and language", "level": "targeted", "ages": "0-4"}]
    # the family hub seeks crime but serves 0-4, not adolescence; youth work states no ages
    assert m[1].services == [] and m[1].undated == ["Youth work"]
    assert m[2].domain is None
    assert m[3].domain == "obesity_physical" and m[3].services[0]["service"] == "Family hub"
    table = lo.needs_table(m, supplied=True)
    assert list(table["Status"]) == [
        "Addressed by 1 service row",
        "Gap: no service in the offer addresses this",
        "Cannot be matched: not in an outcome domain",
        "Addressed by 1 service row",
    ]
    assert table["Services in the offer"].iloc[0] == "Speech and language (targeted, ages 0-4)"
    assert table["Life stage"].iloc[1] == "Adolescence (12-19), ages 12-19"
    section, said = lo.needs_section("Testshire", m, True, "")
    assert "Of the 4 outcomes of concern for Testshire, 2 are addressed" in section.summary
    assert "for 1 no service in the offer addresses it: first-time entrants" in section.summary
    assert (
        "1 cannot be matched, being in no outcome domain: children in relative" in section.summary
    )
    assert said[1] == (
        "No service in Testshire's early help offer addresses 1 of the 4 outcomes of concern: "
        "first-time entrants to the youth justice system."
    )


def test_counts_by_level_and_stage() -> None:
    offer = offer_frame(pd.DataFrame([r[:] for r in OFFER], columns=HEADER).replace("", None))
    grid = lo.grid_section("Testshire", offer, "supplied", "").table.set_index(
        ["Level of need", "Life stage"]
    )
    assert grid.loc[("Universal", "Early years (0-4)"), "Services"] == 1
    assert grid.loc[("Universal", "Ages not stated"), "Service names"] == "Parenting line"
    assert grid.loc[("Early help", "School age (5-11)"), "Services"] == 1  # 11-19 overlaps 5-11
    assert grid.loc[("Specialist", "Adolescence (12-19)"), "Services"] == 1  # 0-25
    assert grid.loc[("Targeted", "School age (5-11)"), "Services"] == 0
    assert len(grid) == 4 * 5


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(AREAS))
def test_without_the_offer_the_page_says_what_to_supply(code: str) -> None:
    c = chapter(code)
    assert c.status == lo.NOT_SUPPLIED and c.example == ""
    assert [s.key for s in c.sections] == ["levels", "template", "grid", "needs"]
    t = c.section("template")
    assert list(t.table["Column"]) == HEADER
    assert f"```bash\nneedsbook local-template --area {code}\n```" in t.summary
    grid = c.section("grid")
    assert (grid.table["Status"] == "Not supplied").all() and len(grid.table) == 16
    assert grid.chart is not None
    concerns = [f for f in findings(code, YEAR) if f.of_concern]
    needs = c.section("needs").table
    assert sorted(needs["Outcome"]) == sorted(f.name for f in concerns)
    assert (needs["Status"] == "Offer not supplied").all()
    assert c.key_findings[0] == (
        f"The council's list of its early help services was not supplied for {AREAS[code]}."
    )
    link = lo.template_link_html()
    href = link.split("href='")[1].split("'")[0]
    assert urllib.parse.unquote(href.removeprefix("data:text/csv;charset=utf-8,")) == (
        ",".join(HEADER) + "\n"
    )
    assert "<code>local_offer.csv</code></a>" in link


@pytest.mark.parametrize("code", list(AREAS))
def test_with_the_offer_the_page_lists_and_maps_it(code: str, local_root: Path) -> None:
    c = chapter(code, str(local_root))
    assert c.status == "supplied" and c.example == ""
    assert [s.key for s in c.sections] == ["levels", "offer", "grid", "needs"]
    offer = c.section("offer")
    assert list(offer.table["Level of need"]) == [
        "Universal",
        "Universal",
        "Early help",
        "Targeted",
        "Specialist",
    ]
    assert offer.summary.startswith(
        f"{AREAS[code]}'s early help offer lists 4 services in 5 rows (a service offered at two "
        "levels of need has two rows): 2 universal, 1 early help, 1 targeted and 1 specialist. "
        "1 service does not state the ages served"
    )
    row = offer.table.set_index("Service").loc["Youth service"]
    assert (row["Ages"], row["Life stages"]) == ("11-19", "School age (5-11); Adolescence (12-19)")
    assert (
        row["Outcomes sought"] == "Crime, violence and anti-social behaviour; School and employment"
    )
    html = table_html(offer.table, offer.title)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    concerns = [f for f in findings(code, YEAR) if f.of_concern]
    assert len(c.matches) == len(concerns)
    for m in c.matches:  # a service is listed exactly when ages overlap and the domain is sought
        names = {s["service"] for s in m.services}
        lo_age, hi_age = lo.stage_ages(m.finding.life_stage)
        want = {
            r[0]
            for r in OFFER
            if r[2]
            and int(r[2]) <= hi_age
            and int(r[3]) >= lo_age
            and m.domain in terms.domains_of(r[5])
        }
        assert names == want, m.finding.name


def test_halton_worked_example(tmp_path: Path) -> None:
    c = lo.build("E06000006", YEAR, local_dir=HALTON)
    assert c.status == "supplied"
    assert c.example.startswith("Halton Children's Trust's Early Help Strategy and Local Offer")
    offer = c.section("offer")
    assert offer.summary.startswith("Worked example: this offer is the one Halton Children's Trust")
    assert "it does not describe services today" in offer.summary
    assert len(offer.table) == 25 and offer.table["Service"].nunique() == 13
    assert "13 services in 25 rows" in offer.summary
    hv = offer.table[offer.table["Service"] == "Halton Health Visiting Service"]
    assert list(hv["Level of need"]) == ["Universal", "Targeted", "Specialist"]
    assert set(hv["Ages"]) == {"0-4"}
    sn = offer.table[offer.table["Service"] == "Halton School Nursing Service"]
    assert set(sn["Ages"]) == {"5-19"}
    assert "(worked example)" in c.section("needs").source
    assert c.key_findings[0].startswith(
        "This page shows a worked example: the offer Halton Children's Trust's Early Help"
    )
    assert c.key_findings[1] == (
        "Halton's early help offer lists 13 services in 25 rows (a service offered at two levels "
        "of need has two rows)."
    )
    assert c.section("grid").summary.startswith("Worked example (the offer above): The grid")
    # the same folder for another area is not the example
    other = lo.build("E06000017", YEAR, local_dir=shutil.copytree(HALTON, tmp_path / "E06000017"))
    assert other.example == "" and not other.section("offer").summary.startswith("Worked")


@pytest.mark.parametrize("local", [False, True])
def test_reader_text(local: bool, local_root: Path) -> None:
    c = chapter("E10000034", str(local_root) if local else None)
    texts = [*c.key_findings]
    for s in c.sections:
        texts += [s.title, s.source, *s.notes, *map(str, s.table.columns)]
        texts.append(s.summary.split("```")[0])  # prose; the command is in a code block
        texts += [str(v) for v in s.table.to_numpy().ravel() if isinstance(v, str)]
    found = [p for t in texts for p in check_text("local offer", t)]
    found = [p for p in found if "<script>" not in p.text]  # the hostile service name
    assert found == [], found[:3]


def test_a_header_only_offer_is_present_but_empty(tmp_path: Path) -> None:
    c = lo.build("E06000017", YEAR, local_dir=write_offer(tmp_path / "E06000017", []))
    assert c.status == lo.EMPTY
    assert "is present but holds no services for Rutland" in c.section("template").summary
    assert (
        c.key_findings[0]
        == "The council's list of its early help services held no services for Rutland."
    )
    assert (c.section("grid").table["Status"] == "Present but empty").all()

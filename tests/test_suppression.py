"""Suppression that holds (issue 12, point 2): no count shown as "<10" can be worked back.

The algorithm on small hand-made tables, a property test on random ones, and an attacker
that takes every report the central unit writes for a year (the quarter, its three months
and the year, each with its previous-period column; CSV and XLSX, read back with the csv
module and openpyxl) and tries every subtraction: a total less the other published cells of
its row or column, London less the boroughs, a quarter less its other months, chained, and
then the whole linear system of all of them at once. The attacker is written here, apart
from the code it attacks (exact fractions, dense elimination), and is shown to work: on the
same reports with only the small cells hidden (the old rule) it recovers them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import Engagement, TrustedKey
from ccodesk.services import indicator_export as export
from ccodesk.services.demo import generate
from ccodesk.services.indicator_suppression import (
    ATTENDEES,
    BY_KIND,
    BY_METHOD,
    IN_GROUP,
    MONITORED,
    NO_METHOD,
    REACHED,
    people_counts,
    withheld_cells,
)
from ccodesk.services.indicators import central_report
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.suppression import Sum, determined, protect
from ccodesk.sync.central import Central, init_central

# -- the attacker --------------------------------------------------------------------------------

Equation = tuple[Any, tuple[Any, ...]]  # total, parts


def attack(
    known: Mapping[Any, int], unknown: Iterable[Any], equations: Iterable[Equation]
) -> dict[Any, int]:
    """Every unknown cell whose value follows from the known ones: first subtractions, one
    unknown at a time (chained), then the full linear system by exact elimination."""
    values: dict[Any, Fraction] = {c: Fraction(v) for c, v in known.items()}
    hidden = set(unknown) - set(values)
    eqs = [(t, p) for t, p in equations]
    found: dict[Any, int] = {}
    progress = True
    while progress:  # subtraction: a total less the other parts, or a part less the rest
        progress = False
        for total, parts in eqs:
            cells = [*parts, total]
            open_cells = [c for c in cells if c in hidden and c not in found]
            if len(open_cells) != 1:
                continue
            (cell,) = open_cells

            def value(c: Any) -> Fraction:
                return Fraction(found[c]) if c in found else values[c]

            if cell == total:
                result = sum((value(c) for c in parts), Fraction(0))
            else:
                result = value(total) - sum((value(c) for c in parts if c != cell), Fraction(0))
            found[cell] = int(result)
            progress = True
    # the linear system: rows over the remaining unknowns, constants from what is known
    rest = {c for c in hidden if c not in found}
    rows: list[dict[Any, Fraction]] = []
    for total, parts in eqs:
        row: dict[Any, Fraction] = {}
        constant = Fraction(0)
        for c, sign in [(p, 1) for p in parts] + [(total, -1)]:
            if c in rest:
                row[c] = row.get(c, Fraction(0)) + sign
            else:
                constant -= sign * (Fraction(found[c]) if c in found else values[c])
        row = {c: v for c, v in row.items() if v}
        if row:
            row[CONSTANT] = constant
            rows.append(row)
    found |= {c: int(v) for c, v in _solve(rows).items()}
    return found


CONSTANT = ("the constant",)


def _solve(rows: list[dict[Any, Fraction]]) -> dict[Any, Fraction]:
    """The unknowns pinned by the system: exact Gauss-Jordan elimination on sparse rows."""
    pivots: dict[Any, dict[Any, Fraction]] = {}
    for original in rows:
        row = dict(original)
        for var in [v for v in row if v in pivots]:
            _axpy(row, pivots[var], row[var])
        unknowns = sorted((v for v in row if v != CONSTANT), key=repr)
        if not unknowns:
            assert row.get(CONSTANT, 0) == 0, "the attacker's equations contradict each other"
            continue
        lead = unknowns[0]
        row = {v: x / row[lead] for v, x in row.items()}
        for other in pivots.values():  # keep every pivot row free of the new pivot
            if lead in other:
                _axpy(other, row, other[lead])
        pivots[lead] = row
    return {
        var: row.get(CONSTANT, Fraction(0))  # the row reads x = constant
        for var, row in pivots.items()
        if all(v in (var, CONSTANT) for v in row)
    }


def _axpy(row: dict[Any, Fraction], pivot: dict[Any, Fraction], factor: Fraction) -> None:
    for v, x in pivot.items():
        value = row.get(v, Fraction(0)) - factor * x
        if value:
            row[v] = value
        else:
            row.pop(v, None)


# -- the algorithm on hand-made tables ----------------------------------------------------------


def table(
    rows: Mapping[str, list[int]], columns: list[str]
) -> tuple[dict[Any, int], list[Sum[Any]]]:
    """A table with its row totals, and a "London" row that is the sum of the others."""
    values: dict[Any, int] = {}
    for area, cells in rows.items():
        for c, v in zip(columns, cells, strict=True):
            values[(area, c)] = v
        values[(area, "all")] = sum(cells)
    for c in [*columns, "all"]:
        values[("London", c)] = sum(values[(a, c)] for a in rows)
    sums = [Sum((a, "all"), tuple((a, c) for c in columns)) for a in [*rows, "London"]]
    sums += [Sum(("London", c), tuple((a, c) for a in rows)) for c in [*columns, "all"]]
    return values, sums


def published(values: Mapping[Any, int], withheld: Iterable[Any]) -> dict[Any, int]:
    hidden = set(withheld)
    return {c: v for c, v in values.items() if c not in hidden}


def recovered(values: Mapping[Any, int], sums: list[Sum[Any]], withheld: Iterable[Any]) -> dict:
    """The small counts (1 to 9) among the withheld cells that the attacker works out.

    A cell withheld only to protect others may be found again (it is not small); what must
    never be found is a small one."""
    hidden = set(withheld)
    found = attack(published(values, hidden), hidden, [(s.total, s.parts) for s in sums])
    return {c: v for c, v in found.items() if c in hidden and 0 < values[c] < 10}


def test_the_issues_subtraction_no_longer_works() -> None:
    # the issue's figures: London 59 disabled attendees, Hackney 54, Camden's "<10" is 5
    values, sums = table({"Camden": [5, 40], "Hackney": [54, 30]}, ["disabled", "other"])
    only_small = [("Camden", "disabled")]
    assert recovered(values, sums, only_small) == {("Camden", "disabled"): 5}  # 59 − 54
    found = protect(values, sums)
    assert found.primary == {("Camden", "disabled")}
    assert found.complementary == {
        ("Camden", "other"),
        ("Hackney", "disabled"),
        ("Hackney", "other"),
    }
    assert recovered(values, sums, found.withheld) == {}
    assert not found.unprotected


def test_a_line_with_one_small_cell_and_zeros_takes_the_next_smallest_non_zero() -> None:
    values, sums = table({"Camden": [5, 0, 0, 120], "Hackney": [30, 12, 0, 200]}, list("abcd"))
    found = protect(values, sums)
    assert ("Camden", "b") not in found.withheld and ("Camden", "c") not in found.withheld
    assert ("Camden", "d") in found.withheld  # 120: the only non-zero beside the 5
    assert ("Hackney", "a") in found.withheld  # the 5's column: 30 is smaller than London's 35
    assert recovered(values, sums, found.withheld) == {}


def test_a_small_cell_alone_in_its_row_takes_the_total_too() -> None:
    values, sums = table({"Camden": [5, 0, 0], "Hackney": [20, 30, 40]}, list("abc"))
    found = protect(values, sums)
    assert {("Camden", "a"), ("Camden", "all")} <= found.primary  # the total is 5 as well
    assert recovered(values, sums, found.withheld) == {}
    assert not found.unprotected


def test_the_pattern_is_deterministic_and_reaches_a_fixed_point() -> None:
    values, sums = table(
        {"A": [3, 14, 15, 9], "B": [26, 5, 35, 89], "C": [79, 32, 3, 84]}, list("wxyz")
    )
    first, second = protect(values, sums), protect(dict(reversed(values.items())), sums[::-1])
    assert first == second
    # a fixed point: protecting the published table again withholds nothing more
    again = protect(values, sums)
    assert again.withheld == first.withheld
    for s in sums:
        assert sum(c in first.withheld for c in s.cells) != 1
    assert recovered(values, sums, first.withheld) == {}


def cube(seed: int) -> tuple[dict[Any, int], list[Sum[Any]]]:
    """Areas a, b and London × columns x, y and total × months m1, m2 and their quarter."""
    import random

    rng = random.Random(seed)
    values: dict[Any, int] = {}
    for a, c, p in itertools.product("ab", "xy", ("m1", "m2")):
        values[(a, c, p)] = rng.choice([0, rng.randint(1, 9), rng.randint(10, 60)])
    for a, c in itertools.product("ab", "xy"):
        values[(a, c, "Q")] = values[(a, c, "m1")] + values[(a, c, "m2")]
    for a, p in itertools.product("ab", ("m1", "m2", "Q")):
        values[(a, "T", p)] = values[(a, "x", p)] + values[(a, "y", p)]
    for c, p in itertools.product("xyT", ("m1", "m2", "Q")):
        values[("L", c, p)] = values[("a", c, p)] + values[("b", c, p)]
    sums = [Sum((a, "T", p), ((a, "x", p), (a, "y", p))) for a in "abL" for p in ("m1", "m2", "Q")]
    sums += [Sum(("L", c, p), (("a", c, p), ("b", c, p))) for c in "xyT" for p in ("m1", "m2", "Q")]
    sums += [Sum((a, c, "Q"), ((a, c, "m1"), (a, c, "m2"))) for a in "abL" for c in "xyT"]
    return values, sums


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.sets(st.integers(0, 26), min_size=1, max_size=14))
def test_the_engines_linear_algebra_agrees_with_exact_fractions(
    seed: int, chosen: set[int]
) -> None:
    # determined() works modulo a prime on sparse rows; the attacker with exact fractions
    values, sums = cube(seed)
    cells = sorted(values)
    withheld = {cells[i] for i in chosen}
    exact = attack(published(values, withheld), withheld, [(s.total, s.parts) for s in sums])
    # the attacker also chains subtractions; both are linear, so they must find the same cells
    assert determined(values, sums, withheld) == set(exact)
    assert all(exact[c] == values[c] for c in exact)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6))
def test_no_small_cell_of_a_random_three_way_table_is_recovered(seed: int) -> None:
    values, sums = cube(seed)
    found = protect(values, sums)
    assert recovered(values, sums, found.withheld) == {}
    assert not found.unprotected


small_tables = st.integers(2, 4).flatmap(
    lambda n_rows: st.integers(2, 4).flatmap(
        lambda n_cols: st.lists(
            st.lists(
                st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 80)),
                min_size=n_cols,
                max_size=n_cols,
            ),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(small_tables)
def test_no_small_cell_of_a_random_table_is_recovered(cells: list[list[int]]) -> None:
    columns = [f"c{i}" for i in range(len(cells[0]))]
    values, sums = table({f"r{i}": row for i, row in enumerate(cells)}, columns)
    found = protect(values, sums)
    assert recovered(values, sums, found.withheld) == {}
    assert all(values[c] != 0 for c in found.complementary)  # a zero protects nothing
    assert all(0 < values[c] < 10 for c in found.primary)


# -- the attacker against the central unit's real reports ---------------------------------------

BOROUGHS = ("camden", "hackney", "islington", "southwark")
YEAR = 2026


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A central store holding a year of small demo boroughs (lots of small cells)."""
    c = demo_central(tmp_path_factory.mktemp("suppression") / "central", None)
    yield c
    c.close()


def demo_central(home: Path, url: str | None) -> Central:
    c = init_central(home, url, "MPA Central Unit")
    for number, code in enumerate(BOROUGHS, start=1):
        device = f"device-{code}"
        with Session(c.engine, info={"device_id": device}) as s, s.begin():
            for _ in generate(
                s,
                borough=code,
                officer="CCO",
                scale=1,
                seed=number,
                anchor=dt.date(YEAR, 9, 30),
                engagements_per_year=70,
                organisations_per_year=40,
            ):
                pass
            s.add(
                TrustedKey(
                    fingerprint=f"SHA256:{device}",
                    public_key="ssh-ed25519 AAAA test",
                    role="device",
                    borough_code=code,
                    device_id=device,
                    added_at=dt.datetime(YEAR, 1, 1),
                )
            )
    return c


def run_central(central: Central, *argv: str) -> int:
    from ccodesk.cli.central import main

    return main(["--home", str(central.home), "--db", central.url, *argv])


RELEASES = ("2026Q3", "2026-07", "2026-08", "2026-09", "2026")


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def read_xlsx(path: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = list(book["Indicators"].iter_rows(values_only=True))
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    header = [str(h).lower() for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


PEOPLE = {ATTENDEES, BY_KIND, BY_METHOD, MONITORED, REACHED, IN_GROUP}


def published_cells(releases: Iterable[list[dict[str, Any]]]) -> dict[Any, Any]:
    """(measure, group, area, period) → what every release printed for it (all agree)."""
    cells: dict[Any, Any] = {}
    for rows in releases:
        for row in rows:
            period = Period.parse(str(row["period"]))
            for column, label in (("value", period.label), ("previous", period.previous().label)):
                key = (row["measure"], row["group"] or "", row["area"], label)
                value = row[column]
                value = "" if value is None else value
                if isinstance(value, str) and value.lstrip("-").replace(".", "", 1).isdigit():
                    value = float(value) if "." in value else int(value)
                if isinstance(value, float) and value.is_integer() and row["unit"] == "count":
                    value = int(value)
                if row["unit"] == "percent" and isinstance(value, int | float):
                    value = value / 100  # the CSV's shares are per cent, the workbook's fractions
                if row["unit"] in ("share", "percent", "pounds") and isinstance(value, int):
                    value = float(value)
                assert cells.setdefault(key, value) == value, (key, cells[key], value)
    return cells


def equations(cells: Mapping[Any, Any]) -> list[Equation]:
    """What anyone knows of how the published figures add up."""
    areas = sorted({k[2] for k in cells})
    boroughs = [a for a in areas if a != "London"]
    labels = sorted({k[3] for k in cells})
    kinds = sorted({k[1] for k in cells if k[0] == BY_KIND})
    methods = sorted({k[1] for k in cells if k[0] == BY_METHOD})
    columns = [*sorted({(k[0], k[1]) for k in cells if k[0] in PEOPLE}), (NO_METHOD, "")]
    eqs: list[Equation] = []
    for area, label in itertools.product(areas, labels):
        total = (ATTENDEES, "", area, label)
        eqs.append((total, tuple((BY_KIND, k, area, label) for k in kinds)))
        eqs.append(
            (total, (*((BY_METHOD, m, area, label) for m in methods), (NO_METHOD, "", area, label)))
        )
    for (measure, group), label in itertools.product(columns, labels):
        if "London" not in areas:
            break  # a borough's own report: no London table
        eqs.append(
            ((measure, group, "London", label), tuple((measure, group, b, label) for b in boroughs))
        )
    year = Period(YEAR, PeriodKind.YEAR)
    quarters = [Period(YEAR, PeriodKind.QUARTER, q) for q in range(1, 5)]
    for (measure, group), area in itertools.product(columns, areas):
        eqs.append(
            (
                (measure, group, area, year.label),
                tuple((measure, group, area, q.label) for q in quarters),
            )
        )
        for q in quarters:
            months = [Period(YEAR, PeriodKind.MONTH, (q.number - 1) * 3 + i) for i in (1, 2, 3)]
            eqs.append(
                (
                    (measure, group, area, q.label),
                    tuple((measure, group, area, m.label) for m in months),
                )
            )
    return eqs


def derived_knowledge(cells: Mapping[Any, Any]) -> dict[Any, int]:
    """Counts given back by published shares and costs: share × monitored, cost ÷ per head,
    where the rounding of the printed figure leaves one whole number possible."""
    found: dict[Any, int] = {}

    def only_integer(low: float, high: float) -> int | None:
        first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        return first if first == last else None

    for (measure, group, area, label), value in cells.items():
        if measure == "Share of monitored attendance" and isinstance(value, float):
            monitored = cells.get((MONITORED, "", area, label))
            if isinstance(monitored, int):
                slack = 0.00005  # the CSV's per cent to 2 places; the workbook's is exact
                n = only_integer((value - slack) * monitored, (value + slack) * monitored)
                if n is not None:
                    found[(IN_GROUP, group, area, label)] = n
        if measure == "Cost per participant" and isinstance(value, float) and value > 0.01:
            total = cells.get(("Total cost", "", area, label))
            if isinstance(total, float) and total > 0:
                n = only_integer(total / (value + 0.005), total / (value - 0.005))  # pennies
                if n is not None:
                    found[(ATTENDEES, "", area, label)] = n
    return found


def truth(central: Central) -> dict[Any, int]:
    areas = {"London": None} | {code.capitalize(): {f"device-{code}"} for code in BOROUGHS}
    with central.session() as s:
        values, _columns = people_counts(s, [YEAR - 1, YEAR], areas, london="London")
    return values


def attack_reports(cells: Mapping[Any, Any], true: Mapping[Any, int]) -> dict[Any, int]:
    """The withheld small counts (1 to 9) the attacker works out, with their values."""
    known = {k: v for k, v in cells.items() if k[0] in PEOPLE and isinstance(v, int)}
    known |= derived_knowledge(cells)
    for key, value in true.items():  # the engine's assumption: no-method cells that are not
        if key[0] == NO_METHOD and not 0 < value < 10:  # small may be known (e.g. none)
            known[key] = value
    withheld = {k for k, v in cells.items() if k[0] in PEOPLE and isinstance(v, str)}
    everything = set(true) | set(cells)
    found = attack(known, everything - set(known), equations(cells))
    wrong = {k: (v, true[k]) for k, v in found.items() if k in known and known[k] != v}
    assert not wrong  # the attacker's equations are right: it finds what is published
    return {k: v for k, v in found.items() if k in withheld and 0 < true.get(k, 0) < 10}


@pytest.fixture(scope="module")
def releases(central: Central, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_releases(central, tmp_path_factory.mktemp("releases"))


def write_releases(central: Central, out: Path) -> dict[str, Path]:
    written = {}
    for label in RELEASES:
        for suffix in ("csv", "xlsx"):
            path = out / f"london-{label}.{suffix}"
            assert run_central(central, "report", "--period", label, "-o", str(path)) == 0
            written[f"{label}.{suffix}"] = path
    # one borough only (written here: the keyring of the module's central store is this one's)
    path = out / "camden-2026Q3.csv"
    argv = ("report", "--period", "2026Q3", "--borough", "camden", "-o", str(path))
    assert run_central(central, *argv) == 0
    written["camden-2026Q3.csv"] = path
    return written


def test_no_suppressed_count_is_recovered_from_a_years_central_reports(
    central: Central, releases: dict[str, Path]
) -> None:
    true = truth(central)
    for suffix, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
        cells = published_cells(reader(releases[f"{label}.{suffix}"]) for label in RELEASES)
        people = {k: v for k, v in cells.items() if k[0] in PEOPLE}
        for key, value in people.items():  # what is printed is the truth, or withheld
            assert value in ("<10", "suppressed") or value == true[key], key
            if value == "<10":
                assert 0 < true[key] < 10
        small = [k for k, v in people.items() if v == "<10"]
        extra = [k for k, v in people.items() if v == "suppressed"]
        assert len(small) > 30 and len(extra) > 30  # the data has plenty to protect
        assert not [k for k, v in people.items() if isinstance(v, int) and 0 < v < 10]
        assert attack_reports(cells, true) == {}, suffix


def test_the_attacker_recovers_cells_under_the_old_rule(
    central: Central, releases: dict[str, Path]
) -> None:
    # the same reports with the complementary cells printed, as before issue 12
    true = truth(central)
    cells = published_cells(read_csv(releases[f"{label}.csv"]) for label in RELEASES)
    old = {k: (true[k] if v == "suppressed" and k[0] in PEOPLE else v) for k, v in cells.items()}
    found = attack_reports(old, true)
    assert len(found) > 10
    assert all(found[k] == true[k] and 0 < true[k] < 10 for k in found)
    boroughs = {k for k in found if k[2] != "London"}
    assert boroughs  # among them borough cells, London less the others


def test_a_report_of_some_boroughs_withholds_what_the_full_one_does(
    releases: dict[str, Path],
) -> None:
    # else the full report and a Camden-only one, read together, would give cells back
    one = read_csv(releases["camden-2026Q3.csv"])
    assert {r["area"] for r in one} == {"Camden"}
    full = [r for r in read_csv(releases["2026Q3.csv"]) if r["area"] == "Camden"]
    assert one == full
    assert any(r["value"] == "suppressed" for r in one)


def test_the_tables_add_up_to_the_reports_figures(central: Central) -> None:
    # the cells protected are the figures printed: same numbers from the two code paths
    true = truth(central)
    with central.session() as s:
        report = central_report(s, Period.parse("2026Q3"))
    for area_report in [report.london, *report.boroughs.values()]:
        for row in export.report_rows(area_report):
            if row.measure in PEOPLE:
                key = (row.measure, row.group, area_report.area, "2026Q3")
                assert true[key] == row.value, key
                key = (row.measure, row.group, area_report.area, "2026Q2")
                assert true[key] == row.previous, key
    with central.session() as s:
        held = s.scalars(select(Engagement.origin_device).distinct()).all()
    assert set(held) <= {f"device-{b}" for b in BOROUGHS} | {None}


def test_withheld_cells_are_the_same_whichever_period_is_asked(central: Central) -> None:
    areas = {"London": None} | {code.capitalize(): {f"device-{code}"} for code in BOROUGHS}
    with central.session() as s:
        q3 = withheld_cells(s, [Period.parse("2026Q3")], areas, london="London")
        july = withheld_cells(s, [Period.parse("2026-07")], areas, london="London")
    assert q3.primary == july.primary and q3.complementary == july.complementary


def test_each_year_protected_apart_withholds_what_protecting_both_at_once_does(
    tmp_path: Path,
) -> None:
    # no sum joins two years, so withheld_cells protects each year on its own (and keeps
    # each year's pattern): the same cells as the one system of both years at once
    from ccodesk.services.indicator_suppression import NO_BOROUGH, people_sums

    c = demo_central(tmp_path / "central", None)
    areas = {"London": None} | {code.capitalize(): {f"device-{code}"} for code in BOROUGHS}
    try:
        with c.transaction() as s:  # the first half of the year's meetings a year earlier
            for e in s.scalars(
                select(Engagement).where(Engagement.starts_at < dt.datetime(YEAR, 7, 1))
            ):
                e.starts_at = e.starts_at.replace(year=e.starts_at.year - 1)
        with c.session() as s:
            apart = withheld_cells(s, [Period.parse("2026"), Period.parse("2025")], areas,
                                   london="London")  # fmt: skip
            values, columns = people_counts(s, [2025, 2026], areas, london="London")
    finally:
        c.close()
    assert {c[3][:4] for c in apart.primary} == {"2025", "2026"}  # both years hold data
    sums = people_sums([2025, 2026], [*areas, NO_BOROUGH], columns, "London")
    hidden = {c for c in values if c[0] == NO_METHOD or c[2] == NO_BOROUGH}
    order = {c: i for i, c in enumerate(sorted(values))}
    together = protect(values, sums, hidden=hidden, order=order)
    assert (apart.primary, apart.complementary) == (together.primary, together.complementary)
    assert not together.unprotected


def test_a_kept_pattern_is_never_used_for_changed_counts(tmp_path: Path) -> None:
    from ccodesk.models import Attendance
    from ccodesk.services import indicator_suppression

    c = demo_central(tmp_path / "central", None)
    areas = {"London": None} | {code.capitalize(): {f"device-{code}"} for code in BOROUGHS}
    period = [Period.parse("2026Q3")]
    try:
        with c.session() as s:
            before = withheld_cells(s, period, areas, london="London")
        with c.transaction() as s:  # a big meeting becomes a small one: a new small count
            big = s.scalars(
                select(Attendance)
                .join(Engagement)
                .where(Engagement.starts_at >= dt.datetime(YEAR, 7, 1), Attendance.total > 30)
                .order_by(Attendance.id)
            ).first()
            assert big is not None
            big.total, big.prefer_not_to_say, big.not_asked = 3, 0, 3
        with c.session() as s:
            after = withheld_cells(s, period, areas, london="London")
            indicator_suppression._PATTERNS.clear()
            fresh = withheld_cells(s, period, areas, london="London")
        assert after == fresh
        assert after.primary != before.primary
    finally:
        c.close()


def test_a_boroughs_own_reports_hold_too(demo_store: Any, tmp_path: Path) -> None:
    # ccodesk-cli report on the borough's laptop: the quarter, its months and the year
    from ccodesk.cli.borough import main

    written = []
    for label in RELEASES:
        path = tmp_path / f"hackney-{label}.csv"
        argv = ["--data-dir", str(demo_store.data_dir), "report", "--period", label]
        assert main([*argv, "-o", str(path)]) == 0
        written.append(read_csv(path))
    with demo_store.session() as s:
        true, _columns = people_counts(s, [YEAR - 1, YEAR], {"Hackney": None})
    cells = published_cells(written)
    small = [k for k, v in cells.items() if v == "<10"]
    assert len(small) >= 4  # a full borough-year has few small counts, but some
    assert attack_reports(cells, true) == {}
    old = {k: (true[k] if v == "suppressed" and k[0] in PEOPLE else v) for k, v in cells.items()}
    assert attack_reports(old, true)  # the old rule gave some back


def test_the_same_holds_on_postgresql(central: Central, tmp_path: Path) -> None:
    # the same boroughs on the real PostgreSQL test server: same counts, same cells withheld,
    # and its reports hold against the attacker too
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        pg = demo_central(tmp_path / "pg-central", url)
        try:
            assert pg.engine.dialect.name == "postgresql"
            true = truth(pg)
            assert true == truth(central)
            areas = {"London": None} | {c.capitalize(): {f"device-{c}"} for c in BOROUGHS}
            with pg.session() as s, central.session() as t:
                on_pg = withheld_cells(s, [Period.parse("2026Q3")], areas, london="London")
                on_sqlite = withheld_cells(t, [Period.parse("2026Q3")], areas, london="London")
            assert on_pg == on_sqlite
            written = write_releases(pg, tmp_path / "pg-releases")
            for suffix, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
                cells = published_cells(reader(written[f"{label}.{suffix}"]) for label in RELEASES)
                assert any(v == "<10" for v in cells.values())
                assert attack_reports(cells, true) == {}, suffix
        finally:
            pg.close()


def test_the_quarterly_return_withholds_what_the_files_do(demo_store: Any, tmp_path: Path) -> None:
    # the printed return (a PDF that leaves the device) prints attendees by method and each
    # group's count this quarter and the one before: the same cells withheld as in the CSV
    from ccodesk.cli.borough import main
    from ccodesk.printing import quarterly
    from ccodesk.services.periods import Period
    from ccodesk.services.quarterly_return import return_content

    quarter = Period.parse_quarter("2026Q3")
    with demo_store.session() as s:
        data = return_content(s, demo_store.borough_code, quarter)
    path = tmp_path / "q3.csv"
    argv = ["--data-dir", str(demo_store.data_dir), "report", "--period", "2026Q3"]
    assert main([*argv, "-o", str(path)]) == 0
    csv_rows = {(r["measure"], r["group"]): r for r in read_csv(path)}

    def as_csv(text: str) -> str:
        return text.replace(",", "")

    shown = []
    for m in data.methods:
        if m.method == "Other":
            continue  # no method: not a row of the files
        printed = data.people(m.attendees, BY_METHOD, m.method)
        assert as_csv(printed) == csv_rows[(BY_METHOD, m.method)]["value"], m.method
        shown.append(printed)
    for g in data.groups:
        row = csv_rows[(IN_GROUP, g.group)]
        assert as_csv(data.people(g.this_quarter, IN_GROUP, g.group)) == row["value"]
        assert (
            as_csv(data.people(g.quarter_before, IN_GROUP, g.group, before=True))
            == (row["previous"])
        )
    assert as_csv(data.people(data.attendees, ATTENDEES)) == csv_rows[(ATTENDEES, "")]["value"]
    assert "<10" in shown  # this quarter has small counts to withhold

    import pypdfium2

    out = tmp_path / "return.pdf"
    out.write_bytes(quarterly.return_pdf(data))
    pdf = pypdfium2.PdfDocument(out)
    text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    small = [m for m in data.methods if 0 < m.attendees < 10]
    assert small
    for m in small:  # its row: method, held, "<10", "suppressed" (per engagement)
        assert data.is_withheld(*data.method_measure(m.method))
    assert "<10" in text and "suppressed" in text

"""Small-number suppression that a subtraction cannot undo (docs/indicators.md, "Small numbers").

Plain data in, the cells to withhold out; no SQL, no Qt. A *table* here is a set of cells
(any hashable key → a count) and the sums published with them: `Sum(total, parts)` says
`value[total] == Σ value[parts]` (a row or column total, London over its boroughs, a quarter
over its months). Cells named `hidden` are never published but could be worked out from
the sums (the engagements with no method, the engagements of no borough).

1. **Primary**: every published count from 1 to SMALL − 1 is withheld. Zeros are published
   (a zero is nobody; see the document for why).
2. **Complementary**, repeated until nothing changes:
   a. a sum with exactly one withheld cell among its total and parts would give that cell
      back by one subtraction, so a second one is withheld: the smallest non-zero published
      part (ties by key), else the total;
   b. then the whole system is solved exactly: a primary cell whose value follows from the
      published cells through *any* linear combination of the sums (row and column and
      London and period together) gets one more cell withheld, the smallest non-zero
      published cell of a sum it is in; and back to a.

A zero is never chosen as a complement: it protects nothing (x + 0 = s gives x ≤ s, and
x = s when that is a primary's only partner). Step b works modulo a 61-bit prime on sparse
rows (a rank over the rationals, with a chance of error below 10⁻¹⁵ for these 0/±1 rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

SMALL = 10  # counts of people from 1 to SMALL - 1 are withheld
_P = (1 << 61) - 1  # a Mersenne prime: exact linear algebra on 0/±1 rows, fast in Python ints

Cell = TypeVar("Cell", bound=Hashable)


@dataclass(frozen=True)
class Sum(Generic[Cell]):
    """`total` is published as the sum of `parts`."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Protection(Generic[Cell]):
    """What to withhold: `primary` (small counts) and `complementary` (to protect them)."""

    primary: frozenset[Cell]
    complementary: frozenset[Cell]
    unprotected: frozenset[Cell] = field(default_factory=frozenset)  # should stay empty

    @property
    def withheld(self) -> frozenset[Cell]:
        return self.primary | self.complementary


def primary_cells(values: Mapping[Cell, int], threshold: int = SMALL) -> set[Cell]:
    """The counts from 1 to threshold − 1."""
    return {cell for cell, value in values.items() if 0 < value < threshold}


def protect(
    values: Mapping[Cell, int],
    sums: Sequence[Sum[Cell]],
    *,
    hidden: Collection[Cell] = (),
    threshold: int = SMALL,
    order: Mapping[Cell, int] | None = None,
) -> Protection[Cell]:
    """The cells to withhold so that no small count can be worked out from what is published.

    `order` ranks cells for ties (default: by repr); the answer depends only on the values,
    the sums and that order, so the same table always gives the same pattern.
    """
    for s in sums:
        missing = [c for c in s.cells if c not in values]
        if missing:
            raise KeyError(f"a sum names cells with no value: {missing[:3]!r}")
    rank = order if order is not None else _repr_order(values)
    # the sums in a canonical order too: the pattern must not depend on how they were listed
    sums = sorted(sums, key=lambda s: (rank[s.total], sorted(rank[p] for p in s.parts)))
    primary = primary_cells(values, threshold)
    withheld = set(primary)
    hidden_set = set(hidden)

    def published(cell: Cell) -> bool:
        return cell not in withheld and cell not in hidden_set

    def candidate(cells: Iterable[Cell]) -> Cell | None:
        choices = [c for c in cells if published(c) and values[c] != 0]
        return min(choices, key=lambda c: (values[c], rank[c])) if choices else None

    lines_of: dict[Cell, list[Sum[Cell]]] = defaultdict(list)
    for s in sums:
        for c in s.cells:
            lines_of[c].append(s)

    while True:
        _two_per_line(sums, withheld, published, candidate)
        pinned = sorted(determined(values, sums, withheld) & primary, key=rank.__getitem__)
        added = False
        for cell in pinned:
            extra = _nearest(cell, lines_of, withheld, candidate, published)
            if extra is not None:  # else nothing is left to withhold: reported as unprotected
                withheld.add(extra)
                added = True
        if not added:
            break
    return Protection(
        primary=frozenset(primary),
        complementary=frozenset(withheld - primary),
        # nothing was withheld since `pinned` was worked out: solving again would repeat it
        unprotected=frozenset(pinned),
    )


def _nearest(
    cell: Cell,
    lines_of: Mapping[Cell, list[Sum[Cell]]],
    withheld: set[Cell],
    candidate: Callable[[Iterable[Cell]], Cell | None],
    published: Callable[[Cell], bool],
) -> Cell | None:
    """The cell to withhold for a pinned one: the best candidate of the sums it is in (parts
    before totals), else of the sums of the withheld cells beside it, and so on outwards;
    a published zero only when no non-zero cell is left anywhere it is linked to."""
    seen_cells: set[Cell] = {cell}
    seen_lines: set[int] = set()
    frontier = [cell]
    zeros: list[Cell] = []
    while frontier:
        lines = [s for c in frontier for s in lines_of[c] if id(s) not in seen_lines]
        seen_lines.update(id(s) for s in lines)
        extra = candidate(c for s in lines for c in s.parts) or candidate(s.total for s in lines)
        if extra is not None:
            return extra
        zeros += [c for s in lines for c in s.cells if published(c)]
        frontier = [c for s in lines for c in s.cells if c in withheld and c not in seen_cells]
        seen_cells.update(frontier)
    return min(zeros, key=repr) if zeros else None


def _repr_order(values: Mapping[Cell, int]) -> dict[Cell, int]:
    return {c: i for i, c in enumerate(sorted(values, key=repr))}


def _two_per_line(
    sums: Sequence[Sum[Cell]],
    withheld: set[Cell],
    published: Callable[[Cell], bool],
    candidate: Callable[[Iterable[Cell]], Cell | None],
) -> None:
    """Rule a: no sum with exactly one withheld cell (to a fixed point)."""
    changed = True
    while changed:
        changed = False
        for s in sums:
            if sum(1 for c in s.cells if c in withheld) != 1:
                continue
            extra = candidate(s.parts)
            if extra is None and published(s.total):
                extra = s.total
            if extra is not None:
                withheld.add(extra)
                changed = True


def determined(
    values: Mapping[Cell, int], sums: Sequence[Sum[Cell]], withheld: Collection[Cell]
) -> set[Cell]:
    """The withheld cells whose values follow from the published ones by linear algebra.

    Each sum is a linear equation in the withheld cells (the published ones are constants);
    a cell is determined when its unit vector lies in the span of those equations, that is
    when its pivot row in the reduced row echelon form has no other entry.
    """
    unknown = set(withheld)
    index: dict[Cell, int] = {}
    rows: list[dict[int, int]] = []
    for s in sums:
        row: dict[int, int] = {}
        for c, coefficient in [(p, 1) for p in s.parts] + [(s.total, _P - 1)]:
            if c in unknown:
                i = index.setdefault(c, len(index))
                row[i] = (row.get(i, 0) + coefficient) % _P
        row = {i: v for i, v in row.items() if v}
        if row:
            rows.append(row)
    pivots = _reduced_echelon(rows)
    cells = {i: c for c, i in index.items()}
    return {cells[var] for var, row in pivots.items() if len(row) == 1}


def _reduced_echelon(rows: Iterable[dict[int, int]]) -> dict[int, dict[int, int]]:
    """Pivot variable → its row, fully reduced (no other pivot variable in any row), mod P."""
    pivots: dict[int, dict[int, int]] = {}
    holding: dict[int, set[int]] = defaultdict(set)  # variable → pivot rows that contain it
    for original in rows:
        row = dict(original)
        for var in [v for v in row if v in pivots]:
            factor = row.get(var, 0)
            if factor:
                _subtract(row, pivots[var], factor)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _P - 2, _P)
        row = {v: c * inverse % _P for v, c in row.items()}
        for other in list(holding.get(pivot, ())):
            target = pivots[other]
            factor = target.get(pivot, 0)
            if factor:
                for v in target:
                    holding[v].discard(other)
                _subtract(target, row, factor)
                for v in target:
                    if v != other:
                        holding[v].add(other)
        holding.pop(pivot, None)
        pivots[pivot] = row
        for v in row:
            if v != pivot:
                holding[v].add(pivot)
    return pivots


def _subtract(row: dict[int, int], pivot_row: dict[int, int], factor: int) -> None:
    """row -= factor × pivot_row (mod P), dropping zeros."""
    for v, c in pivot_row.items():
        value = (row.get(v, 0) - factor * c) % _P
        if value:
            row[v] = value
        else:
            row.pop(v, None)

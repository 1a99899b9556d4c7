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
rows (a rank over the rationals, with a chance of error below 10⁻¹⁵ for these 0/±1 rows),
block by block (withheld cells that share no sum are solved apart), solving again only the
blocks a round changed; a cell is determined when it is zero in two solutions of the
homogeneous system drawn at random with fixed seeds (wrongly so with probability 1/P², and
that error would only withhold one cell more). The answer is the one solving the whole
system afresh each round gives.
"""

from __future__ import annotations

import heapq
import random
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
    rank = order if order is not None else _repr_order(values)
    missing = [c for s in sums for c in s.cells if c not in values]
    if missing:
        raise KeyError(f"a sum names cells with no value: {missing[:3]!r}")
    # the sums in a canonical order too: the pattern must not depend on how they were listed
    sums = sorted(sums, key=lambda s: (rank[s.total], sorted([rank[p] for p in s.parts])))
    primary = primary_cells(values, threshold)
    withheld: set[Cell] = set()
    hidden_set = set(hidden)

    def published(cell: Cell) -> bool:
        return cell not in withheld and cell not in hidden_set

    def candidate(cells: Iterable[Cell]) -> Cell | None:
        choices = [c for c in cells if published(c) and values[c] != 0]
        return min(choices, key=lambda c: (values[c], rank[c])) if choices else None

    solver = _Solver(sums)
    positions = solver.lines_of  # the sums each cell is in, by index
    lines_of = {c: [sums[i] for i in where] for c, where in positions.items()}
    counts = [0] * len(sums)  # withheld cells of each sum
    fresh: set[int] = set()  # sums whose first withheld cell came since rule a last ran

    def withhold(cell: Cell) -> None:
        withheld.add(cell)
        solver.add(cell)
        for i in positions[cell]:
            counts[i] += 1
            if counts[i] == 1:
                fresh.add(i)

    for cell in sorted(primary, key=rank.__getitem__):
        withhold(cell)
    pinned: Collection[Cell] = primary
    while True:
        _two_per_line(sums, counts, fresh, withhold, published, candidate)
        # a cell withheld already is determined only if it was before the cells withheld
        # since (what they add to the system can only hide it): only the cells pinned last
        # round can be pinned again, and only their blocks need solving
        pinned = sorted(solver.determined(among=pinned), key=rank.__getitem__)
        added = False
        for cell in pinned:
            extra = _nearest(cell, lines_of, withheld, candidate, published)
            if extra is not None:  # else nothing is left to withhold: reported as unprotected
                withhold(extra)
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
    counts: list[int],
    fresh: set[int],
    withhold: Callable[[Cell], None],
    published: Callable[[Cell], bool],
    candidate: Callable[[Iterable[Cell]], Cell | None],
) -> None:
    """Rule a: no sum with exactly one withheld cell (to a fixed point).

    The sums are taken in their order, pass after pass, as if every sum were looked at in
    each pass; but only a sum whose first withheld cell came since it was last looked at can
    need a second (`fresh`): one that had a single withheld cell and found no partner finds
    none later either, since cells are only ever withheld, never published again."""
    now = sorted(fresh)
    fresh.clear()
    while now:
        later: list[int] = []
        while now:
            i = heapq.heappop(now)
            if counts[i] != 1:
                continue
            s = sums[i]
            extra = candidate(s.parts)
            if extra is None and published(s.total):
                extra = s.total
            if extra is None:
                continue
            withhold(extra)
            for j in fresh:  # still ahead in this pass, or in the next one
                if j > i:
                    heapq.heappush(now, j)
                else:
                    later.append(j)
            fresh.clear()
        now = sorted(later)


def determined(
    values: Mapping[Cell, int], sums: Sequence[Sum[Cell]], withheld: Collection[Cell]
) -> set[Cell]:
    """The withheld cells whose values follow from the published ones by linear algebra.

    Each sum is a linear equation in the withheld cells (the published ones are constants);
    a cell is determined when its unit vector lies in the span of those equations, that is
    when it is zero in every solution of the homogeneous system.
    """
    solver = _Solver(sums)
    for cell in set(withheld):
        solver.add(cell)
    return solver.determined()


class _Solver(Generic[Cell]):
    """`determined`, block by block, remembered between the rounds of `protect`.

    The withheld cells fall into blocks that share no sum (one column of one borough's
    months, say, or the attendees of London and the boroughs they are linked to): the
    system is block-diagonal, so a cell is determined by the whole system exactly when it
    is by its block's sums. Cells are only ever added, so blocks only grow and merge; a
    round of `protect` adds a few cells to a few blocks, and only those are solved again
    (a block's sums and answer follow from its cells alone)."""

    def __init__(self, sums: Sequence[Sum[Cell]]) -> None:
        self.sums = sums
        self.lines_of: dict[Cell, list[int]] = defaultdict(list)  # cell → its sums
        for i, s in enumerate(sums):
            for c in s.parts:
                self.lines_of[c].append(i)
            self.lines_of[s.total].append(i)
        self.parent: dict[Cell, Cell] = {}
        self.cells: dict[Cell, set[Cell]] = {}  # a block's root → its cells
        self.lines: dict[Cell, set[int]] = {}  # a block's root → the sums it is in
        self.known: dict[frozenset[Cell], set[Cell]] = {}

    def _root(self, cell: Cell) -> Cell:
        parent = self.parent
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    def add(self, cell: Cell) -> None:
        """`cell` is withheld now."""
        if cell in self.parent:
            return
        self.parent[cell] = cell
        self.cells[cell] = {cell}
        self.lines[cell] = set(self.lines_of[cell])
        for i in self.lines_of[cell]:
            for other in self.sums[i].cells:
                if other in self.parent:
                    self._union(cell, other)

    def _union(self, a: Cell, b: Cell) -> None:
        a, b = self._root(a), self._root(b)
        if a == b:
            return
        if len(self.cells[a]) < len(self.cells[b]):
            a, b = b, a
        self.parent[b] = a
        self.cells[a] |= self.cells.pop(b)
        self.lines[a] |= self.lines.pop(b)

    def determined(self, among: Collection[Cell] | None = None) -> set[Cell]:
        """The cells added so far (of `among`, if given) that the sums determine."""
        roots = set(self.cells) if among is None else {self._root(c) for c in among}
        found: set[Cell] = set()
        for root in roots:
            cells = self.cells[root]
            key = frozenset(cells)
            if key not in self.known:
                self.known[key] = _solve(self._rows(sorted(self.lines[root]), cells))
            found |= self.known[key]
        return found if among is None else found & set(among)

    def _rows(self, lines: Iterable[int], unknown: Collection[Cell]) -> list[dict[Cell, int]]:
        rows = []
        for i in lines:
            s = self.sums[i]
            row: dict[Cell, int] = {}
            for c in s.parts:
                if c in unknown:
                    row[c] = row.get(c, 0) + 1
            if s.total in unknown:
                row[s.total] = row.get(s.total, 0) - 1
            row = {c: v % _P for c, v in row.items() if v % _P}
            if row:
                rows.append(row)
        return rows


def _solve(rows: Sequence[dict[Cell, int]]) -> set[Cell]:
    """The variables of `rows` (cell → coefficient, mod P) whose unit vectors they span.

    A variable's unit vector is in the rows' span exactly when the variable is zero in every
    solution of the homogeneous system. So: an echelon form (forward elimination only), then
    two solutions drawn at random (fixed seeds: the same rows give the same answer) by back
    substitution. A variable that is not determined is zero in both by chance with
    probability 1/P² (below 10⁻³⁶); a determined one is always zero."""
    seen: dict[Cell, int] = defaultdict(int)  # how many rows each variable is in
    for row in rows:
        for c in row:
            seen[c] += 1
    # the rarest variables first (ties as they came): they are the cheapest pivots
    index = {c: i for i, c in enumerate(sorted(seen, key=seen.__getitem__))}
    pivots = _echelon([{index[c]: v for c, v in row.items()} for row in rows])
    zero: set[int] | None = None
    for seed in (1, 2):
        draw = random.Random(seed)
        value = [draw.getrandbits(64) % (_P - 1) + 1 for _ in range(len(index))]  # free ones
        for var in reversed(pivots):  # each pivot row holds later pivots and free variables
            value[var] = -sum(c * value[v] for v, c in pivots[var].items() if v != var) % _P
        found = {var for var in pivots if value[var] == 0}
        zero = found if zero is None else zero & found
    cells = {i: c for c, i in index.items()}
    return {cells[var] for var in zero or ()}


def _echelon(rows: Iterable[dict[int, int]]) -> dict[int, dict[int, int]]:
    """Pivot variable → its row, scaled to 1 at the pivot, mod P; in the order the pivots
    were found, each row holding its pivot, free variables and pivots found after it."""
    pivots: dict[int, dict[int, int]] = {}
    for original in rows:
        row = dict(original)
        queue = [v for v in row if v in pivots]
        heapq.heapify(queue)
        while queue:  # eliminate pivots, smallest first: a pivot row holds only larger ones
            var = heapq.heappop(queue)
            factor = row.get(var, 0)
            if not factor:
                continue
            for v, c in pivots[var].items():
                value = (row.get(v, 0) - factor * c) % _P
                if value:
                    if v not in row and v in pivots:
                        heapq.heappush(queue, v)
                    row[v] = value
                else:
                    row.pop(v, None)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _P - 2, _P)
        pivots[pivot] = {v: c * inverse % _P for v, c in row.items()}
    return pivots

"""The central unit's boroughs board: each borough's devices, bundles, gaps and conflicts.

One line per borough of the reference data (the 32 boroughs and the City), read in a handful
of grouped queries whatever the size of the store: the board is the central officer's first
page, so it must come back within a frame or two (benchmarks/central_board_bench.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.models import Borough, BundleLog, SyncConflict, TrustedKey


@dataclass
class BoroughLine:
    """One borough on the board."""

    code: str
    name: str
    devices: int  # trusted devices, revoked ones not counted
    bundles: int  # change bundles merged
    last_received: dt.datetime | None  # when the newest bundle was merged
    last_seq: int | None  # that bundle's number on its device
    missing: list[int] = field(default_factory=list)  # bundle numbers never received
    unlisted: int = 0  # missing numbers beyond those listed
    conflicts: int = 0  # open conflicts found merging this borough's bundles
    late: bool = False  # set up (devices or bundles) but no bundle within the threshold

    @property
    def missing_count(self) -> int:
        return len(self.missing) + self.unlisted

    @property
    def missing_text(self) -> str:
        """The missing numbers as the board shows them ("" when none)."""
        if not self.missing:
            return ""
        shown = ", ".join(map(str, self.missing[:8]))
        more = self.missing_count - min(len(self.missing), 8)
        return shown + (f" and {more:,} more" if more else "")

    def days_since(self, today: dt.date) -> int | None:
        """Days since the last bundle came (None: never)."""
        return None if self.last_received is None else (today - self.last_received.date()).days


def read_board(session: Session, today: dt.date, late_days: int) -> list[BoroughLine]:
    """Every borough's line, in name order; late = no bundle within `late_days` of `today`
    though the borough has sent before or has had a trusted device for that long."""
    lines = {
        code: BoroughLine(code, name, 0, 0, None, None)
        for code, name in session.execute(select(Borough.code, Borough.name).order_by(Borough.name))
    }
    trusted_since: dict[str, dt.datetime] = {}
    for code, count, first in session.execute(
        select(TrustedKey.borough_code, func.count(), func.min(TrustedKey.added_at))
        .where(TrustedKey.role == "device", TrustedKey.revoked_at.is_(None))
        .group_by(TrustedKey.borough_code)
    ):
        if code in lines:
            lines[code].devices = int(count)
            trusted_since[code] = first
    changes = BundleLog.kind == "changes"
    # Per device: its bundles, the highest number and when it was last heard from. The
    # borough's last bundle is the newest number of the device heard from last.
    newest: dict[str, tuple[dt.datetime, int]] = {}
    for code, count, seq, last, numbers in session.execute(
        select(
            BundleLog.borough_code,
            func.count(),
            func.max(BundleLog.seq),
            func.max(BundleLog.received_at),
            func.count(func.distinct(BundleLog.seq)),
        )
        .where(changes)
        .group_by(BundleLog.device_id, BundleLog.borough_code)
    ):
        line = lines.get(code or "")
        if line is None:
            continue
        code = line.code
        line.bundles += int(count)
        line.unlisted += int(seq) - int(numbers)  # never received; listed below, up to a limit
        if code not in newest or last > newest[code][0]:
            newest[code] = (last, int(seq))
    for code, (last, seq) in newest.items():
        lines[code].last_received, lines[code].last_seq = last, seq
    _list_missing(session, lines)
    for code, count in session.execute(
        select(BundleLog.borough_code, func.count())
        .select_from(SyncConflict)
        .join(BundleLog, BundleLog.bundle_id == SyncConflict.bundle_id)
        .where(SyncConflict.resolved_at.is_(None))
        .group_by(BundleLog.borough_code)
    ):
        if code in lines:
            lines[code].conflicts = int(count)
    limit = today - dt.timedelta(days=late_days)
    for line in lines.values():
        # Late: no bundle within the threshold of the last one, or, for a borough that has
        # never sent, of its first trusted device (a device trusted today is not late yet).
        since = line.last_received or trusted_since.get(line.code)
        line.late = since is not None and since.date() < limit
    return list(lines.values())


LISTED = 50  # missing numbers listed per borough; the rest are counted


def _list_missing(session: Session, lines: dict[str, BoroughLine]) -> None:
    """The missing bundle numbers of the boroughs that have any (as `ccodesk-central gaps`
    finds them: every number from 1 to a device's newest that never came), the first
    `LISTED` of each listed and the rest counted in `unlisted`.

    Only the bundles after a gap come back from the database (each with the number before
    it, by a window function), not every bundle ever merged.
    """
    if not any(line.unlisted for line in lines.values()):
        return
    ordered = (
        select(
            BundleLog.borough_code.label("code"),
            BundleLog.device_id.label("device"),
            BundleLog.seq.label("seq"),
            func.lag(BundleLog.seq, 1, 0)
            .over(partition_by=BundleLog.device_id, order_by=BundleLog.seq)
            .label("before"),
        )
        .where(BundleLog.kind == "changes")
        .subquery()
    )
    for code, before, seq in session.execute(
        select(ordered.c.code, ordered.c.before, ordered.c.seq)
        .where(ordered.c.seq > ordered.c.before + 1)
        .order_by(ordered.c.code, ordered.c.device, ordered.c.seq)
    ):
        line = lines.get(code or "")
        if line is None:
            continue
        room = max(0, LISTED - len(line.missing))
        run = range(int(before) + 1, int(seq))[:room]
        line.missing.extend(run)
        line.unlisted -= len(run)


@dataclass
class DeviceLine:
    fingerprint: str
    officer: str
    device_id: str | None
    added_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass
class BundleLine:
    device_id: str
    seq: int
    received_at: dt.datetime
    applied: int
    already: int
    conflicts: int


@dataclass
class BoroughDetail:
    code: str
    name: str
    devices: list[DeviceLine]
    bundles: list[BundleLine]  # newest first


def borough_detail(session: Session, code: str) -> BoroughDetail:
    """A borough's devices (revoked ones too) and the bundles merged from it, newest first."""
    name = session.scalar(select(Borough.name).where(Borough.code == code)) or code
    devices = [
        DeviceLine(k.fingerprint, k.officer, k.device_id, k.added_at, k.revoked_at)
        for k in session.scalars(
            select(TrustedKey)
            .where(TrustedKey.role == "device", TrustedKey.borough_code == code)
            .order_by(TrustedKey.added_at)
        )
    ]
    bundles = [
        BundleLine(b.device_id, int(b.seq), b.received_at, b.applied, b.already, b.conflicts)
        for b in session.scalars(
            select(BundleLog)
            .where(BundleLog.kind == "changes", BundleLog.borough_code == code)
            .order_by(BundleLog.received_at.desc(), BundleLog.seq.desc())
        )
    ]
    return BoroughDetail(code, name, devices, bundles)

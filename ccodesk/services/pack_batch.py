"""Packs for every meeting in a week, as one batch that reports progress and can be cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from ccodesk.failures import os_reason, stop_if_cancelled
from ccodesk.models import Engagement, EngagementKind, EngagementStatus
from ccodesk.printing.codes import FormKind, form_code
from ccodesk.printing.files import CannotWrite, safe_name, write_pdf

if TYPE_CHECKING:
    from ccodesk.store import Store

Progress = Callable[[int, int, str], None]

# Kinds held as a gathering of people, for which a pack is printed (not surveys or web).
MEETING_KINDS = tuple(
    k for k in EngagementKind if k not in (EngagementKind.SURVEY, EngagementKind.WEB_CONSULTATION)
)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday-to-Sunday week holding `day`, as [Monday, next Monday)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=7)


def next_week(today: dt.date) -> dt.date:
    """The Monday of the week after `today`'s."""
    return week_of(today)[0] + dt.timedelta(days=7)


def meetings_between(
    store: Store, start: dt.date, end: dt.date
) -> list[tuple[str, dt.datetime, str]]:
    """Planned or confirmed meetings starting in [start, end): id, start, title."""
    with store.session() as session:
        rows = session.execute(
            select(Engagement.id, Engagement.starts_at, Engagement.title)
            .where(
                Engagement.deleted.is_(False),
                Engagement.kind.in_(list(MEETING_KINDS)),
                Engagement.status.in_([EngagementStatus.PLANNED, EngagementStatus.CONFIRMED]),
                Engagement.starts_at >= dt.datetime.combine(start, dt.time()),
                Engagement.starts_at < dt.datetime.combine(end, dt.time()),
            )
            .order_by(Engagement.starts_at, Engagement.id)
        )
        return [(i, when, title) for i, when, title in rows]


def pack_file_name(engagement_id: str, starts_at: dt.datetime, title: str) -> str:
    code = form_code(FormKind.PACK, engagement_id).replace("-", "")
    return f"{starts_at:%Y-%m-%d-%H%M}-{safe_name(title, 50)}-{code}.pdf"


def check_pack_folder(folder: Path) -> Path:
    """The folder packs go into, if they can: it may be new, but its parent must exist.

    A missing parent is more likely a typo than a wish for a tree of new folders, so it is
    refused (CannotWrite) before anything is written.
    """
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise CannotWrite(f"Cannot write the packs to {folder}: it is a file, not a folder.")
    if not folder.parent.is_dir():
        raise CannotWrite(
            f"Cannot write the packs to {folder}: the folder {folder.parent} does not exist."
        )
    return folder


@dataclass
class BatchResult:
    folder: Path
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def print_packs(
    store: Store,
    engagement_ids: list[tuple[str, dt.datetime, str]],
    folder: Path,
    *,
    large_print: bool = False,
    forms: int = 1,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> BatchResult:
    """Write one pack per meeting into `folder`; each file is whole (atomic) or absent.

    `folder` is made if it is missing, but not its parent (see `check_pack_folder`). Every
    pack is made before any is written, so Cancel (`Cancelled`) leaves nothing written.
    """
    import time

    from ccodesk.printing.documents import pack_pdf
    from ccodesk.services.pack_content import pack_content

    folder = check_pack_folder(folder)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise CannotWrite(f"Cannot make the folder {folder}: {os_reason(exc)}.") from exc
    result = BatchResult(folder)
    started = time.perf_counter()
    total = len(engagement_ids)
    made: list[tuple[Path, bytes]] = []
    for done, (eid, when, title) in enumerate(engagement_ids):
        stop_if_cancelled(cancelled, "Cancelled; no pack was written.")
        if progress:
            progress(done, total, f"{when:%a %d %b %H:%M} {title}")
        with store.session() as session:
            pack = pack_content(session, eid)
        data = pack_pdf(pack, large_print=large_print, forms=forms)
        made.append((folder / pack_file_name(eid, when, title), data))
    stop_if_cancelled(cancelled, "Cancelled; no pack was written.")
    for path, data in made:
        result.written.append(write_pdf(path, data))
    if progress:
        progress(total, total, f"{len(result.written)} packs written")
    result.seconds = time.perf_counter() - started
    return result

"""Merging many bundles at the centre, one line each: `ccodesk-central merge` and the desktop's
inbox say the same words, and a bad bundle never stops the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ccodesk.errors import Cancelled
from ccodesk.failures import stop_if_cancelled
from ccodesk.sync.central import Central
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.terminal import printable


@dataclass(frozen=True)
class InboxLine:
    """What became of one bundle."""

    path: Path
    text: str  # "NAME: merged: …", "NAME: rejected: …", "NAME: failed: …"
    merged: bool  # its changes are in the central store
    complete: bool  # merged and its receipt written (or none asked for)
    receipt: Path | None = None

    @property
    def rejected(self) -> bool:
        return not self.merged


def merge_one(
    central: Central,
    path: Path,
    receipts: Path | None,
    cancelled: Callable[[], bool] = lambda: False,
    name: str | None = None,
) -> InboxLine:
    """Merge one bundle and say what became of it (a bug: its line and the log).

    `Cancelled` passes through: nothing of this bundle was merged.
    """
    shown = name if name is not None else str(path)
    try:
        outcome = merge_bundle(central, path, receipts, cancelled)
    except Cancelled:  # not a failure: the caller gives this bundle its "cancelled" line
        raise
    except Exception as exc:  # a bug: this bundle's line and the log; the rest go on
        from ccodesk.logs import log_exception

        where = log_exception(f"merging {path}", "ccodesk-central")
        text = (
            f"{shown}: failed: unexpected {type(exc).__name__}; nothing of it was merged "
            f"(details in {where})"
        )
        return InboxLine(path, printable(text), False, False)
    if outcome.ok:
        extra = f" (receipt {outcome.receipt})" if outcome.receipt else ""
        return InboxLine(
            path,
            printable(f"{shown}: {outcome.message}{extra}"),
            True,
            outcome.complete,
            outcome.receipt,
        )
    return InboxLine(path, printable(f"{shown}: rejected: {outcome.message}"), False, False)


def merge_many(
    central: Central,
    paths: Sequence[Path],
    receipts: Path | None,
    progress: Callable[[int, int, str], None] = lambda _d, _t, _w: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[InboxLine]:
    """Merge each bundle in turn, each in its own transaction, yielding its line.

    Cancel stops the bundle being merged (nothing of it written) and those after it;
    the lines already yielded stand.
    """
    total = len(paths)
    for done, path in enumerate(paths):
        stop_if_cancelled(cancelled)
        progress(done, total, f"Merging {path.name} ({done + 1} of {total})…")
        yield merge_one(central, path, receipts, cancelled)
    progress(total, total, "Done.")

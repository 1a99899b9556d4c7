"""A central unit with something on every page, for the screenshots and the central window's
fit checks: three boroughs' demo bundles merged, one borough with a missing bundle and one open
conflict (two of its devices renamed one meeting), one borough late (one bundle, five weeks
ago), and a few corporate timetable entries this month.

Each borough is a real borough store in `work` with its demo data, trusted by the centre and
sending real bundles, merged as the inbox merges them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import update

from ccodesk.models import BundleLog, DecisionKind, EngagementKind, TimetableKind, TrustedKey
from ccodesk.services.central_inbox import merge_many
from ccodesk.services.central_timetable import save_corporate_entry
from ccodesk.services.demo import load_demo_data
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.timetable import TimetableDraft
from ccodesk.store import Store, create_store
from ccodesk.sync.central import Central, init_central, reference_bundle, trust_add
from ccodesk.sync.device import device_recipient
from ccodesk.sync.export import export_bundle
from ccodesk.sync.receive import import_bundle

SENDING = (("hackney", "Priya Shah", 2), ("lewisham", "Grace Okafor", 3))
LATE = ("southwark", "Tom Reilly")  # sent once, five weeks ago: late


def _borough(work: Path, central: Central, code: str, officer: str, name: str) -> Store:
    """A borough device trusted by the centre, holding its reference bundle."""
    store = create_store(work / name, borough_code=code, officer_name=officer)
    trust_add(central, code, officer, store.public_key_openssh())
    reference = work / f"{name}.ccref"
    reference.write_bytes(reference_bundle(central))
    import_bundle(store, reference, confirm_centre=lambda _fp: True)
    return store


def _rename(store: Store, engagement_id: str, title: str) -> None:
    from ccodesk.models import Engagement

    with store.transaction() as session:
        found = session.get(Engagement, engagement_id)
        if found is not None:
            found.title = title


def held_back(work: Path) -> list[Path]:
    """The bundles `build_demo_central(..., hold_back=True)` leaves for the inbox to merge."""
    return [work / f"{SENDING[-1][0]}-{len(SENDING) - 1}.ccbundle"]


def build_demo_central(
    home: Path,
    work: Path,
    today: dt.date,
    engagements_per_year: int = 40,
    *,
    hold_back: bool = False,
) -> Central:
    """Create the central unit in `home` (SQLite) and fill it; borough stores go in `work`.
    With `hold_back`, the bundles of `held_back(work)` are written but not merged."""
    central = init_central(home, None, "MPA Central Unit")
    bundles: list[Path] = []
    for n, (code, officer, seed) in enumerate(SENDING):
        store = _borough(work, central, code, officer, code)
        with store:
            load_demo_data(store, seed=seed, anchor=today,
                           engagements_per_year=engagements_per_year,
                           organisations_per_year=30)  # fmt: skip
            bundles.append(work / f"{code}-{n}.ccbundle")
            export_bundle(store, bundles[-1])
    # Southwark: trusted and sent once, five weeks ago; nothing since (late)
    with _borough(work, central, *LATE, "southwark") as southwark:
        with southwark.transaction() as session:
            save_engagement(
                session,
                EngagementDraft(
                    kind=EngagementKind.PCCG_MEETING,
                    title="Southwark PCCG",
                    starts_at=dt.datetime.combine(today - dt.timedelta(days=40), dt.time(19)),
                ),
            )
        late_bundle = work / "southwark-1.ccbundle"
        export_bundle(southwark, late_bundle)
    if not all(line.merged for line in merge_many(central, [late_bundle], None)):
        raise RuntimeError(f"{late_bundle} was not merged")
    weeks_ago = dt.datetime.combine(today - dt.timedelta(days=35), dt.time(9))
    with central.transaction() as session:
        session.execute(
            update(BundleLog).where(BundleLog.borough_code == LATE[0]).values(received_at=weeks_ago)
        )
        session.execute(
            update(TrustedKey).where(TrustedKey.borough_code == LATE[0]).values(added_at=weeks_ago)
        )
    # Camden: the CCO's and the BLO's devices rename one joint meeting concurrently (a
    # conflict), and the CCO's second bundle never reaches the centre (a gap)
    cco = _borough(work, central, "camden", "Ada Officer", "camden-cco")
    blo = _borough(work, central, "camden", "PS Dean", "camden-blo")
    with cco, blo:
        load_demo_data(cco, seed=1, anchor=today, engagements_per_year=engagements_per_year,
                       organisations_per_year=30)  # fmt: skip
        with cco.transaction() as session:
            shared = save_engagement(
                session,
                EngagementDraft(
                    kind=EngagementKind.PCCG_MEETING,
                    title="Joint PCCG",
                    starts_at=dt.datetime.combine(today + dt.timedelta(days=10), dt.time(19)),
                ),
            ).id
        seed_bundle = work / "camden-1.ccbundle"
        export_bundle(cco, seed_bundle, recipients=[device_recipient(blo)])
        reference = work / "camden-blo-2.ccref"  # with the CCO's key, for the BLO
        reference.write_bytes(reference_bundle(central))
        import_bundle(blo, reference)
        import_bundle(blo, seed_bundle)
        _rename(cco, shared, "Joint PCCG at the library")
        export_bundle(cco, work / "camden-2-lost.ccbundle")  # lost in the post
        _rename(blo, shared, "Joint PCCG at the leisure centre")
        blo_bundle, cco_bundle = work / "camden-blo.ccbundle", work / "camden-3.ccbundle"
        export_bundle(blo, blo_bundle)
        export_bundle(cco, cco_bundle)
    bundles += [seed_bundle, blo_bundle, cco_bundle]
    if hold_back:
        bundles = [b for b in bundles if b not in held_back(work)]
    for line in merge_many(central, bundles, None):
        if not line.merged:
            raise RuntimeError(line.text)
    month = today.replace(day=1)
    with central.transaction() as session:
        for draft in (
            TimetableDraft(
                "Policing plan consultation",
                TimetableKind.CONSULTATION_WINDOW,
                month + dt.timedelta(days=2),
                month + dt.timedelta(days=40),
                planning_cycle=f"Policing plan {today.year + 1}/{(today.year + 2) % 100:02d}",
                informs=DecisionKind.POLICY,
            ),
            TimetableDraft(
                "Crime and disorder strategies: borough drafts due",
                TimetableKind.DEADLINE,
                month + dt.timedelta(days=17),
            ),
            TimetableDraft(
                "Best Value performance plan published",
                TimetableKind.MILESTONE,
                month + dt.timedelta(days=24),
            ),
        ):
            save_corporate_entry(session, draft)
    return central

"""Cancel means one thing everywhere: `Cancelled` is raised and nothing was written.

Real stores, a real centre, real bundles; Cancel is pressed at every point a job checks it
(the k-th check, for k = 1, 2, … until the job has no check left and finishes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from ccodesk.errors import Cancelled, KnownError
from ccodesk.store import Store
from ccodesk.sync.central import Central, init_central, reference_bundle
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import device_recipient
from ccodesk.sync.export import export_bundle
from ccodesk.sync.receive import import_bundle
from tests.support.sync_attacks import content_digest
from tests.test_sync import add_engagement, make_borough


def at_check(k: int) -> Callable[[], bool]:
    """A `cancelled()` that turns true at its k-th call: Cancel pressed at that moment."""
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] >= k

    return cancelled


def digest(store: Store | Central) -> str:
    with store.session() as s:
        return content_digest(s)


def cancel_everywhere(job: Callable[[Callable[[], bool]], object], state: Callable[[], str]) -> int:
    """Run `job(cancelled)` with Cancel pressed at each of its checks in turn; every run
    cancelled must leave `state()` as it was. Return how many checks the job made."""
    before = state()
    for k in range(1, 200):
        try:
            job(at_check(k))
        except Cancelled:
            assert state() == before, f"cancelled at check {k}, yet something was written"
            continue
        return k - 1
    raise AssertionError("the job never finished")


def test_cancelling_a_central_merge_merges_nothing(tmp_path: Path) -> None:
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    for n in range(3):
        add_engagement(camden, f"Camden PCCG {n}")
    bundle = export_bundle(camden, tmp_path / "camden-1.ccbundle").path
    receipts = tmp_path / "receipts"

    def merge(cancelled: Callable[[], bool]) -> object:
        outcome = merge_bundle(central, bundle, receipts, cancelled)
        assert outcome.ok, outcome.message
        return outcome

    checks = cancel_everywhere(merge, lambda: digest(central))
    assert checks >= 3
    assert len(list(receipts.iterdir())) == 1  # only the merge that finished wrote one
    camden.close()
    central.close()


def test_cancelling_a_bundle_import_imports_nothing(tmp_path: Path) -> None:
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    cco = make_borough(tmp_path / "cco", "camden", "Ada", central)
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    for n in range(3):
        add_engagement(cco, f"Joint PCCG {n}")
    seed = export_bundle(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)]).path
    # The BLO needs the CCO's key: the centre's next reference bundle carries it.
    reference = tmp_path / "ref2.ccref"
    reference.write_bytes(reference_bundle(central))
    for bundle in (reference, seed):

        def run(cancelled: Callable[[], bool], bundle: Path = bundle) -> object:
            return import_bundle(blo, bundle, cancelled=cancelled)

        assert cancel_everywhere(run, lambda: digest(blo)) >= 3
    for store in (cco, blo):
        store.close()
    central.close()


def test_cancelling_an_export_writes_no_file_and_uses_no_number(
    store: Store, tmp_path: Path
) -> None:
    add_engagement(store, "Camden PCCG: policing plan")
    target = tmp_path / "out.ccbundle"
    checks = cancel_everywhere(
        lambda cancelled: export_bundle(store, target, unencrypted=True, cancelled=cancelled),
        lambda: "" if target.exists() else digest(store),
    )
    assert checks >= 2 and target.exists()


def test_cancelling_week_packs_writes_no_pack(demo_store: Store, tmp_path: Path) -> None:
    from ccodesk.services.pack_batch import meetings_between, print_packs

    # the demo store's planned meetings come after its anchor, 22 Nov 2026
    meetings = meetings_between(demo_store, dt.date(2026, 11, 23), dt.date(2027, 3, 1))[:3]
    assert meetings
    folder = tmp_path / "packs"

    def packs(cancelled: Callable[[], bool]) -> object:
        return print_packs(demo_store, meetings, folder, cancelled=cancelled)

    checks = cancel_everywhere(packs, lambda: str(sorted(folder.glob("*.pdf"))))
    assert checks == len(meetings) + 1
    assert len(list(folder.glob("*.pdf"))) == len(meetings)


def test_cancelled_is_not_a_known_error() -> None:
    """A cancelled job is not a failure: no warning is shown for it."""
    assert not issubclass(Cancelled, KnownError)
    assert str(Cancelled()) == "Cancelled; nothing was written."


@pytest.mark.parametrize("k", [1, 2])
def test_cancelling_demo_data_adds_nothing(store: Store, k: int) -> None:
    from ccodesk.services.demo import load_demo_data

    before = digest(store)
    with pytest.raises(Cancelled, match="nothing was added"):
        load_demo_data(
            store,
            scale=2,
            seed=1,
            anchor=dt.date(2026, 11, 22),
            cancelled=at_check(k),
            engagements_per_year=10,
            organisations_per_year=10,
        )
    assert digest(store) == before

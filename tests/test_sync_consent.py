"""Consent on export (issue 12, point 3): a contact's personal details leave the device only
while it is shareable **and** its consent is given and unexpired; otherwise a tombstone goes.

Real SQLCipher borough stores and a real central store; each bundle is read independently of
ccodesk's import code (decrypted with the centre's age identity by pyrage, unzipped with
zipfile, `changes.jsonl` parsed line by line). Time is the one thing moved: where consent
lapses between two exports, the first runs "a month ago" (the consent calendar,
`ccodesk.sync.consent.today`, and the store's clock, `ccodesk.store.stamping.time`, both set back),
the second today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import time
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
from sqlalchemy import select

from ccodesk.models import AuditEvent, Contact, Engagement, EngagementKind, SyncTombstone
from ccodesk.services.directory import ContactDraft, save_contact
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store, create_store, stamping
from ccodesk.sync import consent
from ccodesk.sync.central import Central, init_central, reference_bundle, trust_add
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from ccodesk.sync.receive import import_bundle

TODAY = dt.date.today()
PERSONAL = ("name", "email", "phone", "address", "notes", "accessibility_needs", "role")


@pytest.fixture
def central(tmp_path: Path) -> Any:
    c = init_central(tmp_path / "central", None, "MPA Central Unit")
    yield c
    c.close()


@pytest.fixture
def camden(tmp_path: Path, central: Central) -> Any:
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada Officer")
    trust_add(central, "camden", "Ada Officer", store.public_key_openssh())
    ref = tmp_path / "reference.ccref"
    ref.write_bytes(reference_bundle(central))
    import_bundle(store, ref, confirm_centre=lambda _fp: True)
    yield store
    store.close()


def person(n: int, **consent_fields: Any) -> ContactDraft:
    return ContactDraft(
        name=f"Person {n} Nowak",
        email=f"person{n}@example.org",
        phone=f"0207 946 00{n:02d}",
        address=f"{n} Mare Street, E8",
        notes=f"note about person {n}",
        role="Chair",
        **consent_fields,
    )


def add_contact(store: Store, draft: ContactDraft) -> str:
    with store.transaction() as s:
        return save_contact(s, draft).id


def sent(central: Central, path: Path) -> tuple[bytes, dict[str, dict[str, Any]]]:
    """The bundle's changes.jsonl, raw and as its contact records by id (read independently)."""
    plain = pyrage.decrypt(path.read_bytes(), [central.identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        raw = z.read("changes.jsonl")
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    return raw, {r["id"]: r for r in lines if r["entity"] == "contact"}


def assert_nothing_personal(raw: bytes, draft: ContactDraft) -> None:
    for value in (draft.name, draft.email, draft.phone, draft.address, draft.notes):
        assert value.encode() not in raw, value


def centre_contact(central: Central, cid: str) -> tuple[Contact | None, bool]:
    with central.session() as s:
        row = s.get(Contact, cid)
        if row is not None:
            s.expunge(row)
        return row, s.get(SyncTombstone, ("contact", cid)) is not None


def test_only_contacts_with_valid_consent_leave_with_their_details(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    valid = person(1, consent_given=True, consent_date=dt.date(2025, 3, 1), shareable=True)
    until_next_year = person(
        2,
        consent_given=True,
        consent_date=dt.date(2025, 3, 1),
        consent_expires=TODAY + dt.timedelta(days=365),
        shareable=True,
    )
    expired = person(
        3,
        consent_given=True,
        consent_date=dt.date(2019, 5, 1),
        consent_expires=dt.date(2020, 6, 30),
        shareable=True,
    )
    ahead = person(4, consent_given=True, consent_date=TODAY + dt.timedelta(days=5), shareable=True)
    never = person(5, consent_given=True, consent_date=dt.date(2025, 3, 1), shareable=True)
    ids = {d.name: add_contact(camden, d) for d in (valid, until_next_year, expired, ahead, never)}
    with camden.transaction() as s:
        # as an older ccodesk let it through (the editor now refuses it): shared, no consent
        legacy = s.get(Contact, ids[never.name])
        assert legacy is not None
        legacy.consent_given, legacy.consent_date = False, None
        engagement = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Residents' forum",
                starts_at=dt.datetime(2026, 11, 3),
            ),
        )
        row = s.get(Engagement, engagement.id)
        assert row is not None
        row.attendees = [s.get(Contact, cid) for cid in ids.values()]  # type: ignore[misc]

    path = tmp_path / "b1.ccbundle"
    export_bundle(camden, path)
    raw, contacts = sent(central, path)

    for draft in (valid, until_next_year):
        record = contacts[ids[draft.name]]
        assert not record["deleted"]
        assert (record["data"]["name"], record["data"]["email"], record["data"]["phone"]) == (
            draft.name,
            draft.email,
            draft.phone,
        )
    for draft in (expired, ahead, never):
        record = contacts[ids[draft.name]]
        assert record["deleted"] is True and record["data"] == {} and record["children"] == {}
        assert_nothing_personal(raw, draft)
    records = [json.loads(line) for line in raw.decode().splitlines()]
    (forum,) = [r for r in records if r["entity"] == "engagement"]
    linked = {a["contact_id"] for a in forum["children"]["engagement_attendee"]}
    assert linked == {ids[valid.name], ids[until_next_year.name]}  # no link to a withheld one

    # the shared-without-consent contact is unshared on the device, and the audit says so
    with camden.session() as s:
        assert s.get(Contact, ids[never.name]).shareable is False  # type: ignore[union-attr]
        assert s.scalars(
            select(AuditEvent.changes).where(AuditEvent.entity_id == ids[never.name])
        ).all()[-1] == ["shareable"]
        assert s.get(Contact, ids[expired.name]).shareable is True  # type: ignore[union-attr]

    assert merge_bundle(central, path).ok
    for draft in (valid, until_next_year):
        row, _ = centre_contact(central, ids[draft.name])
        assert row is not None and (row.name, row.email, row.phone) == (
            draft.name,
            draft.email,
            draft.phone,
        )
    for draft in (expired, ahead, never):
        row, tombstone = centre_contact(central, ids[draft.name])
        assert row is None and tombstone


@contextlib.contextmanager
def days_ago(monkeypatch: pytest.MonkeyPatch, n: int) -> Iterator[None]:
    """Live `n` days in the past: the consent calendar and the store's clock alike."""
    shift = n * 86_400
    with monkeypatch.context() as m:
        m.setattr(consent, "today", lambda: TODAY - dt.timedelta(days=n))
        m.setattr(stamping, "time", types.SimpleNamespace(time=lambda: time.time() - shift))
        yield


def borough(tmp_path: Path, central: Central) -> Store:
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada Officer")
    trust_add(central, "camden", "Ada Officer", store.public_key_openssh())
    ref = tmp_path / "reference.ccref"
    ref.write_bytes(reference_bundle(central))
    import_bundle(store, ref, confirm_centre=lambda _fp: True)
    return store


def test_consent_expiring_between_exports_is_withdrawn_at_the_centre(
    tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    expires = TODAY - dt.timedelta(days=1)  # valid until yesterday
    draft = person(
        7, consent_given=True, consent_date=dt.date(2025, 1, 6), consent_expires=expires,
        shareable=True,
    )  # fmt: skip
    first = tmp_path / "b1.ccbundle"
    with days_ago(monkeypatch, 31):  # a month ago, consent was valid: the details left
        camden = borough(tmp_path, central)
        cid = add_contact(camden, draft)
        export_bundle(camden, first)
    try:
        assert sent(central, first)[1][cid]["data"]["email"] == draft.email
        outcome = merge_bundle(central, first, tmp_path / "receipts")
        assert outcome.ok and outcome.receipt is not None
        import_bundle(camden, outcome.receipt)  # acknowledged: next time only what is new
        row, _ = centre_contact(central, cid)
        assert row is not None and row.phone == draft.phone

        # today, nothing edited since: the next export withdraws the details
        second = tmp_path / "b2.ccbundle"
        export_bundle(camden, second)
        raw, contacts = sent(central, second)
        assert contacts[cid]["deleted"] is True and contacts[cid]["data"] == {}
        assert_nothing_personal(raw, draft)
        with camden.session() as s:
            local = s.get(Contact, cid)
            assert local is not None and local.shareable and local.email == draft.email  # kept
        outcome = merge_bundle(central, second, tmp_path / "receipts")
        assert outcome.ok and outcome.receipt is not None
        row, _ = centre_contact(central, cid)
        assert row is not None and row.deleted
        assert all(getattr(row, column) in ("", None) for column in PERSONAL), row.name
        import_bundle(camden, outcome.receipt)

        # withdrawn once: later exports do not stamp it again, nor send it
        with camden.session() as s:
            versions = s.get(Contact, cid).version_vector  # type: ignore[union-attr]
        third = tmp_path / "b3.ccbundle"
        export_bundle(camden, third)
        assert cid not in sent(central, third)[1]
        with camden.session() as s:
            assert s.get(Contact, cid).version_vector == versions  # type: ignore[union-attr]
    finally:
        camden.close()


def test_consent_dated_ahead_leaves_once_it_begins(
    tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = person(8, consent_given=True, consent_date=TODAY, shareable=True)
    first = tmp_path / "b1.ccbundle"
    with days_ago(monkeypatch, 5):  # recorded five days ago, consent dated from today
        camden = borough(tmp_path, central)
        cid = add_contact(camden, draft)
        export_bundle(camden, first)
    try:
        raw, contacts = sent(central, first)
        assert contacts[cid]["deleted"] is True
        assert_nothing_personal(raw, draft)
        outcome = merge_bundle(central, first, tmp_path / "receipts")
        assert outcome.ok and outcome.receipt is not None
        import_bundle(camden, outcome.receipt)

        second = tmp_path / "b2.ccbundle"
        export_bundle(camden, second)
        record = sent(central, second)[1][cid]
        assert not record["deleted"] and record["data"]["phone"] == draft.phone
        assert merge_bundle(central, second).ok
        row, _ = centre_contact(central, cid)
        assert row is not None and not row.deleted and row.email == draft.email
    finally:
        camden.close()


def test_unchanged_consent_adds_no_versions(tmp_path: Path, camden: Store) -> None:
    cid = add_contact(
        camden, person(9, consent_given=True, consent_date=dt.date(2025, 1, 6), shareable=True)
    )
    with camden.session() as s:
        before = s.get(Contact, cid).version_vector  # type: ignore[union-attr]
    export_bundle(camden, tmp_path / "b1.ccbundle")
    export_bundle(camden, tmp_path / "b2.ccbundle")
    with camden.session() as s:
        assert s.get(Contact, cid).version_vector == before  # type: ignore[union-attr]

"""Strict, bounded parsing of signed input (issue 12, points 4, 5 and 7).

Each attack starts from a bundle the real export wrote, changed the way a thief holding a
trusted Camden laptop (or a buggy build) could, and signed again with that trusted key: the
signature is valid, so only the strict reader stands between it and the store. Every case
asserts its refusal line and that the store's content digest did not move. The cases that
reached the database before (seq 2**64, a NUL, a lone surrogate, an INTEGER past 32 bits) run
on the real PostgreSQL test server too (test_sync_strict_postgres below).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ccodesk.models import BundleLog, Engagement, new_id
from ccodesk.store import Store
from ccodesk.sync import bundle, sshsig, strict
from ccodesk.sync.central import Central, gaps, init_central, reference_bundle
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import device_recipient
from ccodesk.sync.merge import merge_records
from ccodesk.sync.receive import import_bundle
from ccodesk.sync.records import Record, read_records
from ccodesk.terminal import printable
from tests.support.hostile_zip import MiB, inflating_bundle
from tests.support.sync_attacks import content_digest, members_of
from tests.test_sync import add_engagement, cli_central, export, make_borough, make_central


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = make_central(tmp_path / "central")
    yield c
    c.close()


@pytest.fixture
def camden(tmp_path: Path, central: Central) -> Iterator[Store]:
    s = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    yield s
    s.close()


TITLE = "A meeting"


def pack(
    raw: dict[str, bytes],
    key: Ed25519PrivateKey,
    recipients: list[pyrage.x25519.Recipient] | None,
    namespace: str = "ccodesk-bundle",
) -> bytes:
    """A bundle of exactly these member bytes, SHA256SUMS and its signature made anew."""
    sums = "".join(f"{hashlib.sha256(raw[n]).hexdigest()}  {n}\n" for n in sorted(raw)).encode()
    signature = sshsig.sign(key, sums, namespace).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(raw):
            archive.writestr(name, raw[name])
        archive.writestr(bundle.SUMS, sums)
        archive.writestr(bundle.SIG, signature)
    plain = buffer.getvalue()
    return bytes(pyrage.encrypt(plain, recipients)) if recipients else plain


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def change(raw: dict[str, bytes]) -> None:
        doc = json.loads(raw["manifest.json"])
        edit(doc)
        raw["manifest.json"] = json.dumps(doc).encode()

    return change


def _line(old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(raw: dict[str, bytes]) -> None:
        assert old in raw["changes.jsonl"]
        raw["changes.jsonl"] = raw["changes.jsonl"].replace(old, new)

    return change


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__setitem__(key, value)


def _raw_manifest(raw: dict[str, bytes]) -> None:
    text = raw["manifest.json"].rstrip().rstrip(b"}")
    raw["manifest.json"] = text + b', "extra": ' + nested(5000).encode() + b"}"


def _vector_counter(raw: dict[str, bytes]) -> None:
    lines = raw["changes.jsonl"].splitlines()
    doc = json.loads(lines[0])
    device = next(iter(doc["vv"]))
    lines[0] = lines[0].replace(
        f'"{device}":{doc["vv"][device]}'.encode(), f'"{device}":{2**64}'.encode()
    )
    raw["changes.jsonl"] = b"\n".join(lines) + b"\n"


def _titled_line(
    edit: Callable[[dict[str, Any], bytes], bytes],
) -> Callable[[dict[str, bytes]], None]:
    """Edit the bytes of the line holding the engagement titled TITLE (given its JSON)."""

    def change(raw: dict[str, bytes]) -> None:
        lines = raw["changes.jsonl"].splitlines()
        (number,) = [n for n, line in enumerate(lines) if TITLE.encode() in line]
        lines[number] = edit(json.loads(lines[number]), lines[number])
        raw["changes.jsonl"] = b"\n".join(lines) + b"\n"

    return change


def _id_with_newline(doc: dict[str, Any], line: bytes) -> bytes:
    return line.replace(f'"id":"{doc["id"]}"'.encode(), f'"id":"{doc["id"]}\\n"'.encode())


def _foreign_digits(doc: dict[str, Any], line: bytes) -> bytes:
    digits = "".join(chr(0x660 + int(d)) for d in doc["hlc"][:13])  # Arabic-Indic digits
    return line.replace(doc["hlc"].encode(), (digits + doc["hlc"][13:]).encode())


# (name, change to the members, the refusal line's telling part, reached the database before)
ATTACKS: list[tuple[str, Callable[[dict[str, bytes]], None], str, bool]] = [
    ("nested manifest", _raw_manifest, "manifest.json is nested more than 8 levels deep", False),
    (
        "nested line",
        _line(f'"title":"{TITLE}"'.encode(), b'"title":' + nested(20000).encode()),
        ": nested too deeply for a record.",
        False,
    ),
    (
        "seq 2**64",
        _manifest(_set("seq", 2**64)),
        f"manifest.json: seq {2**64} is outside 1…{2**63 - 1}",
        True,
    ),
    ("seq true", _manifest(_set("seq", True)), "seq must be a whole number, not true", False),
    ("seq -5", _manifest(_set("seq", -5)), "seq -5 is outside 1…", False),
    (
        "seq 10**12",
        _manifest(_set("seq", 10**12)),
        "seq 1000000000000 is more than 10000 past the sender's last bundle (0)",
        True,
    ),
    (
        "through_seq abc",
        _manifest(_set("through_seq", "abc")),
        "through_seq must be a whole number, not 'abc'",
        False,
    ),
    (
        "through_seq 1.5e300",
        _manifest(_set("through_seq", 1.5e300)),
        "through_seq must be a whole number, not 1.5e+300",
        False,
    ),
    (
        "lone surrogate",
        _line(TITLE.encode(), b"\\ud800 " + TITLE.encode()),
        "holds text with a NUL or a lone surrogate",
        True,
    ),
    (
        "encoded surrogate",
        _line(TITLE.encode(), b"\xed\xa0\x80 " + TITLE.encode()),
        "not valid UTF-8 text",
        True,
    ),
    (
        "NUL",
        _line(TITLE.encode(), b"\\u0000 " + TITLE.encode()),
        "holds text with a NUL or a lone surrogate",
        True,
    ),
    ("NaN", _line(b'"bsl":false', b'"bsl":NaN'), "NaN is not a number ccodesk reads", False),
    (
        "long bundle_id",
        _manifest(_set("bundle_id", "b" * 10_000)),
        "manifest.json: bundle_id 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'… is not an id",
        False,
    ),
    (
        "garbage age_recipient",
        _manifest(_set("age_recipient", "garbage")),
        "age_recipient 'garbage' is not an age recipient (age1…), so no receipt could be "
        "encrypted to the device",
        False,
    ),
    ("id with a newline", _titled_line(_id_with_newline), "record has a malformed id", True),
    (
        "clock in other digits",
        _titled_line(_foreign_digits),
        "record has a malformed clock stamp",
        False,
    ),
    (
        "vector counter 2**64",
        _vector_counter,
        "A version vector holds a counter that is not a positive number",
        True,
    ),
]


def build_attacks(
    borough: Store, central_recipient: pyrage.x25519.Recipient, folder: Path
) -> dict[str, tuple[Path, str, bool]]:
    """Each attack as a bundle file, signed with `borough`'s trusted key; the honest one too."""
    add_engagement(borough, TITLE)
    honest = export(borough, folder / "honest.ccbundle", unencrypted=True)
    members = members_of(honest.read_bytes())
    raw = {n: b for n, b in members.items() if n not in (bundle.SUMS, bundle.SIG)}
    made = {}
    for name, change, line, reached in ATTACKS:
        copy = dict(raw)
        change(copy)
        path = folder / f"{name.replace(' ', '-')}.ccbundle"
        path.write_bytes(pack(copy, borough.signing_key(), [central_recipient]))
        made[name] = (path, line, reached)
    made["honest"] = (honest, "", False)
    return made


def digest(central: Central) -> str:
    with central.session() as s:
        return content_digest(s)


def check_attacks(
    central: Central, made: dict[str, tuple[Path, str, bool]], only_reached: bool = False
) -> None:
    before = digest(central)
    for name, (path, line, reached) in made.items():
        if name == "honest" or (only_reached and not reached):
            continue
        outcome = merge_bundle(central, path)
        assert not outcome.ok, name
        assert line in outcome.message, (name, outcome.message)
        assert "\n" not in outcome.message and len(outcome.message) < 400, outcome.message
        assert digest(central) == before, name
    with central.session() as s:
        assert gaps(s) == []  # nothing refused was logged
    honest, _line, _r = made["honest"]
    assert merge_bundle(central, honest).ok
    with central.session() as s:
        (gap,) = gaps(s)
        assert gap.newest == 1 and gap.missing == [] and gap.unlisted == 0
        assert s.scalars(select(Engagement.title)).all() == [TITLE]


def test_signed_attacks_are_refused_and_change_nothing(
    tmp_path: Path, central: Central, camden: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build_attacks(camden, central.identity.to_public(), tmp_path)
    check_attacks(central, made)
    assert cli_central(["gaps"], central) == 0
    out = capsys.readouterr().out
    assert "up to 1  missing: none" in out and len(out.splitlines()) == 1


def test_strict_reader_rules() -> None:
    """The field rules one by one, through the same functions the bundle reader calls."""
    where = "manifest.json"
    for value, said in ((True, "not true"), (1.0, "not 1.0"), ("7", "not '7'"), (None, "null")):
        with pytest.raises(strict.StrictError, match=said):
            strict.integer({"seq": value}, "seq", where, low=1)
    assert strict.integer({"seq": 2**63 - 1}, "seq", where) == 2**63 - 1
    with pytest.raises(strict.StrictError, match="a 40-digit number is outside"):
        strict.integer({"seq": 10**39}, "seq", where)
    brackets_in_text = b'{"a": "[[[[[[[[[[[[[[", "b": [[1]], "c": "\\"[[[[[[[[[[[["}'
    assert strict.loads(brackets_in_text, where)["b"] == [[1]]  # brackets in strings: text
    for deep in (nested(100).encode(), nested(100_000).encode(), b'{"a":' * 50_000):
        with pytest.raises(strict.StrictError, match="nested more than 8"):
            strict.loads(deep, where)
    for slow_once in (b"[[" + b'\\"' * 16_000, b'["' + b"\\" * 30_000):  # quadratic for a regex
        with pytest.raises(strict.StrictError, match="not valid JSON"):
            strict.loads(slow_once, where)
    with pytest.raises(strict.StrictError, match="nested more than 8"):
        strict.loads(nested(9).encode(), where)
    assert strict.loads(nested(8).encode(), where) == json.loads(nested(8))
    for bad in (b'{"a": "x\\u0000"}', b'{"a\\ud800": 1}', b'["\\udfff"]'):
        with pytest.raises(strict.StrictError, match="NUL or a lone surrogate"):
            strict.loads(bad, where)
    assert strict.loads(b'["\\ud83d\\ude00"]', where) == ["\U0001f600"]  # a pair is a character
    with pytest.raises(strict.StrictError, match="not valid UTF-8"):
        strict.loads(b'["\xff"]', where)
    with pytest.raises(strict.StrictError, match="not valid UTF-8"):
        strict.loads('["x"]'.encode("utf-16"), where)  # json.loads would guess UTF-16
    with pytest.raises(strict.StrictError, match="Infinity is not a number"):
        strict.loads(b"[Infinity]", where)
    with pytest.raises(strict.StrictError, match="longer than"):
        strict.loads(json.dumps(["x" * (strict.MAX_STRING + 1)]).encode(), where)
    with pytest.raises(strict.StrictError, match="is not an id"):
        strict.uuid({"id": new_id().upper()}, "id", where)
    with pytest.raises(strict.StrictError, match="more than 10000 past"):
        strict.seq_after(10_006, 5, where)
    strict.seq_after(10_005, 5, where)


def test_record_values_keep_to_their_columns(camden: Store) -> None:
    from ccodesk.sync.records import RecordError, parse_record

    add_engagement(camden, TITLE)
    with camden.session() as s:
        (record,) = read_records(s, "engagement", since_seq=0)
    good = json.loads(json.dumps(record.to_json()))
    assert parse_record(good).data["title"] == TITLE
    for field_name, value, said in (
        ("starts_at", "2026-11-26T19:00:00+05:00", "without a time zone"),
        ("starts_at", "2026-11-26T19:00:00" + " " * 40, "must be a date and time"),
        ("title", "x" * 201, "longer than 200"),
    ):
        doc = json.loads(json.dumps(good))
        doc["data"][field_name] = value
        with pytest.raises(RecordError, match=said):
            parse_record(doc)
    from sqlalchemy import Integer

    from ccodesk.sync.records import _decode

    column = type("Column", (), {"name": "total", "nullable": False, "type": Integer()})()
    for value in (2**31, -1, True):
        with pytest.raises(RecordError, match="whole number"):
            _decode("attendance", column, value)
    assert _decode("attendance", column, 2**31 - 1) == 2**31 - 1


def test_receipt_and_reference_members_are_read_strictly(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    add_engagement(camden, TITLE)
    outcome = merge_bundle(central, export(camden, tmp_path / "b.ccbundle"), tmp_path / "r")
    assert outcome.receipt is not None
    from ccodesk.sync.device import device_identity

    members = members_of(outcome.receipt.read_bytes(), device_identity(camden))
    raw = {n: b for n, b in members.items() if n not in (bundle.SUMS, bundle.SIG)}
    receipt = json.loads(raw["receipt.json"])
    to_camden = [pyrage.x25519.Recipient.from_str(device_recipient(camden))]

    def crafted(name: str, body: bytes) -> Path:
        path = tmp_path / name
        data = pack(
            {**raw, "receipt.json": body}, central.signing_key, to_camden, "ccodesk-receipt"
        )
        path.write_bytes(data)
        return path

    with camden.session() as s:
        before = content_digest(s)
    cases = {
        crafted("nested.ccreceipt", b'{"x": ' + nested(5000).encode() + b"}"): (
            "receipt.json is nested more than 8 levels deep"
        ),
        crafted("huge.ccreceipt", json.dumps({**receipt, "through_seq": 10**30}).encode()): (
            "receipt.json: through_seq a 31-digit number is outside 0…"
        ),
        crafted("text.ccreceipt", json.dumps({**receipt, "seq": "2"}).encode()): (
            "receipt.json: seq must be a whole number, not '2'"
        ),
        crafted("hash.ccreceipt", json.dumps({**receipt, "content_hash": "x"}).encode()): (
            "receipt.json: content_hash is not a SHA-256 in hex"
        ),
    }
    # A reference bundle with a trusted key whose age recipient is junk.
    ref = members_of(reference_bundle(central))
    ref_raw = {n: b for n, b in ref.items() if n not in (bundle.SUMS, bundle.SIG)}
    doc = json.loads(ref_raw["reference.json"])
    doc["trusted_keys"][0]["age_recipient"] = "age1garbage"
    path = tmp_path / "junk.ccref"
    path.write_bytes(
        pack({**ref_raw, "reference.json": json.dumps(doc).encode()}, central.signing_key, None)
    )
    cases[path] = "reference.json: trusted key 1: age_recipient 'age1garbage' is not an age"
    for path, said in cases.items():
        with pytest.raises(bundle.BundleRejected, match=re.escape(said)):
            import_bundle(camden, path)
        with camden.session() as s:
            assert content_digest(s) == before, path.name
    assert "Acknowledged" in import_bundle(camden, outcome.receipt).summary


def test_a_colleague_bundle_is_read_strictly_on_a_borough_device(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """On Camden's laptop: a bundle from Camden's BLO, signed by the BLO's trusted key."""
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(camden, tmp_path / "ref2.ccref")
    made = build_attacks(blo, pyrage.x25519.Recipient.from_str(device_recipient(camden)), tmp_path)
    with camden.session() as s:
        before = content_digest(s)
    for name in (
        "NUL",
        "lone surrogate",
        "seq 2**64",
        "seq 10**12",
        "nested line",
        "long bundle_id",
    ):
        path, line, _reached = made[name]
        with pytest.raises(bundle.BundleRejected) as refused:
            import_bundle(camden, path)
        assert line in str(refused.value), (name, str(refused.value))
        with camden.session() as s:
            assert content_digest(s) == before, name
    blo.close()


# -- authenticate before inflating ---------------------------------------------------------------

MERGE_ONE = """
import sys
from pathlib import Path
from ccodesk.sync.central import open_central
from ccodesk.sync.central_merge import merge_bundle

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024

central = open_central(Path(sys.argv[1]), None)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
outcome = merge_bundle(central, Path(sys.argv[2]))
print(int(outcome.ok), status("VmHWM") - before, outcome.message)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_bundle_inflating_to_gigabytes_is_refused_before_it_is_inflated(
    tmp_path: Path, central: Central
) -> None:
    hostile = inflating_bundle(tmp_path / "h.ccbundle", 1536 * MiB, Ed25519PrivateKey.generate())
    assert hostile.stat().st_size < 12_000_000
    with zipfile.ZipFile(hostile) as archive:  # under the ratio cap: only authentication stops it
        info = archive.getinfo("changes.jsonl")
        assert info.file_size == 1536 * MiB <= bundle.MAX_RATIO * info.compress_size
    done = subprocess.run(
        [sys.executable, "-c", MERGE_ONE, str(central.home), str(hostile)],
        capture_output=True, text=True, env=os.environ, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok, added_mb, message = done.stdout.split(" ", 2)
    assert ok == "0" and "a key this store does not trust" in message
    assert int(added_mb) < 100  # inflating it first took 3 GB (benchmarks/hostile_bench.py)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_trusted_key_lying_about_a_big_member_costs_no_memory(
    tmp_path: Path, central: Central
) -> None:
    """An insider: the key is trusted, its SHA256SUMS lies about a member inflating to 256 MiB.
    The member is hashed as it streams and kept only once it matched: nothing piles up."""
    from ccodesk.sync.central import trust_add

    key = Ed25519PrivateKey.generate()
    trust_add(central, "camden", "Ada", sshsig.openssh_public_key(key.public_key()))
    hostile = inflating_bundle(tmp_path / "h.ccbundle", 256 * MiB, key)
    done = subprocess.run(
        [sys.executable, "-c", MERGE_ONE, str(central.home), str(hostile)],
        capture_output=True, text=True, env=os.environ, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok, added_mb, message = done.stdout.split(" ", 2)
    assert ok == "0" and "changes.jsonl does not match its signed hash" in message
    assert int(added_mb) < 100  # keeping the chunks while hashing took the member's 256 MiB


def test_members_are_refused_before_inflating_when_sums_do_not_list_them(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    add_engagement(camden, TITLE)
    honest = members_of(export(camden, tmp_path / "h.ccbundle", unencrypted=True).read_bytes())
    sums = b"".join(x + b"\n" for x in honest[bundle.SUMS].splitlines() if b"changes" not in x)
    signature = sshsig.sign(camden.signing_key(), sums, "ccodesk-bundle").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in {**honest, bundle.SUMS: sums, bundle.SIG: signature}.items():
            archive.writestr(name, data)
    (tmp_path / "u.ccbundle").write_bytes(buffer.getvalue())
    before = digest(central)
    outcome = merge_bundle(central, tmp_path / "u.ccbundle")
    assert not outcome.ok and "files its signature does not cover: ['changes.jsonl']" in (
        outcome.message
    )
    assert digest(central) == before


# -- a merge of many bundles goes on past a bad one --------------------------------------------


def test_a_bad_bundle_in_the_middle_leaves_the_others_merged(
    tmp_path: Path, central: Central, camden: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build_attacks(camden, central.identity.to_public(), tmp_path)
    first = made["honest"][0]
    add_engagement(camden, "A later meeting")
    third = export(camden, tmp_path / "third.ccbundle")
    for bad in ("seq 2**64", "nested manifest", "NUL"):
        middle, line, _reached = made[bad]
        code = cli_central(["merge", str(first), str(middle), str(third)], central)
        lines = capsys.readouterr().out.splitlines()
        assert code == 1 and len(lines) == 3, lines
        assert lines[0].startswith(f"{first}: merged")
        assert lines[1].startswith(f"{middle}: rejected: ") and line in lines[1]
        assert lines[2].startswith(f"{third}: merged")
    with central.session() as s:
        assert sorted(s.scalars(select(Engagement.title))) == ["A later meeting", TITLE]


def test_an_unexpected_error_in_one_bundle_is_one_line_and_the_log(
    tmp_path: Path,
    central: Central,
    camden: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The safety net for a bug: the merge engine failing on one bundle (made to, here)."""
    paths = []
    for n in range(3):
        add_engagement(camden, f"Meeting {n}")
        paths.append(export(camden, tmp_path / f"b{n}.ccbundle"))
    doomed = json.loads(members_of(paths[1].read_bytes(), central.identity)["manifest.json"])
    import ccodesk.sync.central_merge as central_merge

    real = central_merge.merge_records

    def failing(session: Any, records: Any, *, bundle_id: str, **kw: Any) -> Any:
        if bundle_id == doomed["bundle_id"]:
            raise RuntimeError("a bug in the merge engine")
        return real(session, records, bundle_id=bundle_id, **kw)

    monkeypatch.setattr(central_merge, "merge_records", failing)
    logs = tmp_path / "logs"
    monkeypatch.setenv("CCODESK_LOG_DIR", str(logs))
    code = cli_central(["merge", *map(str, paths)], central)
    lines = capsys.readouterr().out.splitlines()
    assert code == 1 and len(lines) == 3
    assert lines[0].startswith(f"{paths[0]}: merged") and lines[2].startswith(f"{paths[2]}: merged")
    log_file = logs / "ccodesk-central.log"
    assert lines[1] == (
        f"{paths[1]}: failed: unexpected RuntimeError; nothing of it was merged "
        f"(details in {log_file})"
    )
    text = log_file.read_text()
    assert "Traceback" in text and "RuntimeError: a bug in the merge engine" in text
    assert f"merging {paths[1]}" in text
    with central.session() as s:
        logged = set(s.scalars(select(BundleLog.bundle_id)))
    assert doomed["bundle_id"] not in logged and len(logged) == 2


# -- terminal output ----------------------------------------------------------------------------

HOSTILE_TITLE = "\x1b[2J\x1b]0;pwned\x07 \u202eevil"


def test_printable_escapes_controls_and_bidi_overrides() -> None:
    assert printable(HOSTILE_TITLE) == "\\x1b[2J\\x1b]0;pwned\\x07 \\u202eevil"
    assert printable("a\tb\nc\x7f\x9b\u2066\u200f") == "a\\x09b\\x0ac\\x7f\\x9b\\u2066\\u200f"
    assert printable("Ayşe Yılmaz — Tower Hamlets, 東京") == "Ayşe Yılmaz — Tower Hamlets, 東京"
    from ccodesk.terminal import printable_lines

    report = "Fatigue\r\n\x1b]0;x\x07Org,3\r\nTotal\t9\n"
    assert printable_lines(report) == "Fatigue\r\n\\x1b]0;x\\x07Org,3\r\nTotal\\x099\n"


def hostile_engagement(store: Store) -> str:
    """An engagement titled with terminal controls. The editor (and a calendar import) refuse
    them, but a bundle may carry them (sync keeps any valid Unicode), so it is written as a
    merge would write it: past the editor's rules."""
    from ccodesk.models import Engagement

    eid = add_engagement(store, "placeholder")
    with store.transaction() as s:
        s.get_one(Engagement, eid).title = HOSTILE_TITLE
    return eid


def test_conflicts_list_and_merge_lines_escape_bundle_strings(
    tmp_path: Path, central: Central, camden: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    eid = hostile_engagement(camden)
    path = tmp_path / "evil\x1b[2J.ccbundle"
    export(camden, path)
    assert cli_central(["merge", str(path)], central) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "evil\\x1b[2J.ccbundle: merged" in out
    # A concurrent version from another device makes a conflict to list.
    with central.session() as s:
        (stored,) = read_records(s, "engagement", ids=[eid])
    other = new_id()
    rival = Record(
        "engagement", eid, stored.origin, {other: 1}, f"{stored.hlc[:13]}.000001.{other}", False,
        {**stored.data, "title": "\u202eedited elsewhere"}, stored.children,
    )  # fmt: skip
    from ccodesk.sync.records import parse_record

    with central.transaction() as s:
        assert merge_records(s, [parse_record(rival.to_json())], bundle_id=new_id()).conflicts == 1
    assert cli_central(["conflicts", "list"], central) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J\\x1b]0;pwned\\x07 \\u202eevil" in out
    assert "\\u202eedited elsewhere" in out


# -- the same on the real PostgreSQL test server ----------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Any:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip("needs PostgreSQL's server binaries (Debian: postgresql)")
    with postgres_cluster() as url:
        yield url


def test_sync_strict_postgres(pg_url: str, tmp_path: Path) -> None:
    """The attacks that reached PostgreSQL before (DataError, OverflowError): now refused in the
    reader, the central store's digest unchanged; then the honest bundle merges."""
    from tests.support.postgres import new_database

    on_pg = init_central(tmp_path / "centre", new_database(pg_url, "strict"), "Centre")
    borough = make_borough(tmp_path / "camden", "camden", "Ada", on_pg)
    made = build_attacks(borough, on_pg.identity.to_public(), tmp_path)
    assert sum(reached for _p, _l, reached in made.values()) >= 5
    check_attacks(on_pg, made, only_reached=True)
    borough.close()
    on_pg.close()


def test_borough_command_lines_escape_titles(
    camden: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.borough import main as cli

    eid = hostile_engagement(camden)  # as a colleague's bundle could bring it
    for argv in (["list", "engagements"], ["show", eid], ["search", "evil"]):
        assert cli(["--data-dir", str(camden.data_dir), *argv]) == 0, argv
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out, argv
        assert "\\x1b[2J\\x1b]0;pwned\\x07" in out, (argv, out)


# -- signed fuzzing: any value in any field, signed by the trusted key ---------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**31, 2**63, 2**64, -1, 0, 10**12])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec=None, categories=None), max_size=40)  # lone surrogates too
    | st.sampled_from(["\x00", "\ud800", "2026-13-45", "2026-11-26T19:00:00+01:00", new_id()])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _fuzzed_bundle(
    raw: dict[str, bytes], borough: Store, recipient: pyrage.x25519.Recipient, data: Any
) -> bytes:
    """The honest members with one value anywhere replaced by an arbitrary JSON value."""
    manifest = json.loads(raw["manifest.json"])
    manifest["bundle_id"] = new_id()  # each example is a new bundle (else: "altered")
    lines = [json.loads(x) for x in raw["changes.jsonl"].splitlines()]
    where = data.draw(st.sampled_from(["manifest", "record", "data", "child"]))
    value = data.draw(_VALUES)
    if where == "manifest":
        key = data.draw(st.sampled_from([*sorted(manifest), "extra"]))
        manifest[key] = value
    else:
        line = data.draw(st.sampled_from(lines))
        if where == "record":
            line[data.draw(st.sampled_from(sorted(line)))] = value
        elif where == "data" and line["data"]:
            line["data"][data.draw(st.sampled_from(sorted(line["data"])))] = value
        elif line["children"]:
            rows = line["children"][data.draw(st.sampled_from(sorted(line["children"])))]
            if rows:
                row = data.draw(st.sampled_from(rows))
                row[data.draw(st.sampled_from(sorted(row)))] = value
            else:
                rows.append(value)
    members = {
        "manifest.json": json.dumps(manifest).encode(),
        "changes.jsonl": b"".join(json.dumps(x).encode() + b"\n" for x in lines),
    }
    return pack(members, borough.signing_key(), [recipient])


def _rich_borough(borough: Store) -> dict[str, bytes]:
    """An honest bundle with an engagement and its children, a contact and attendance."""
    from ccodesk.services.directory import ContactDraft, save_contact

    with borough.transaction() as s:
        save_contact(
            s,
            ContactDraft(
                name="Ayşe",
                consent_given=True,
                consent_date=dt.date.today(),
                shareable=True,
                email="a@b.org",
            ),
        )
    add_engagement(borough, TITLE, venue_name="Library", target_groups=["faith"])
    path = export(borough, borough.data_dir.parent / "rich.ccbundle", unencrypted=True)
    members = members_of(path.read_bytes())
    return {n: b for n, b in members.items() if n not in (bundle.SUMS, bundle.SIG)}


def check_fuzzed(central: Central, borough: Store, examples: int) -> None:
    raw = _rich_borough(borough)
    path = borough.data_dir.parent / "fuzzed.ccbundle"
    state = {"before": digest(central), "refused": 0}

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None)
    @given(data=st.data())
    def one(data: Any) -> None:
        path.write_bytes(_fuzzed_bundle(raw, borough, central.identity.to_public(), data))
        outcome = merge_bundle(central, path)  # a refusal or a merge: never an exception
        if outcome.ok:
            state["before"] = digest(central)
        else:
            state["refused"] += 1
            assert "\n" not in outcome.message and len(outcome.message) < 500, outcome.message
            assert digest(central) == state["before"], outcome.message

    one()
    assert state["refused"] > examples // 2


def test_signed_fuzzed_bundles_are_refused_cleanly_or_merge(
    central: Central, camden: Store
) -> None:
    check_fuzzed(central, camden, 500)


def test_signed_fuzzed_bundles_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """The same on PostgreSQL, where a value SQLite takes (a NUL, a 33-bit integer, a long
    string) had ended in a DataError."""
    from tests.support.postgres import new_database

    on_pg = init_central(tmp_path / "centre", new_database(pg_url, "fuzzed"), "Centre")
    borough = make_borough(tmp_path / "camden", "camden", "Ada", on_pg)
    check_fuzzed(on_pg, borough, 200)
    borough.close()
    on_pg.close()


def _replace_somewhere(doc: Any, data: Any) -> Any:
    """`doc` (decoded JSON) with one value somewhere in it, or a manifest field, replaced."""
    if not isinstance(doc, dict | list) or not doc or data.draw(st.integers(0, 3)) == 0:
        return data.draw(_VALUES)
    if isinstance(doc, dict):
        key = data.draw(st.sampled_from(sorted(doc)))
        return {**doc, key: _replace_somewhere(doc[key], data)}
    index = data.draw(st.integers(0, len(doc) - 1))
    return [*doc[:index], _replace_somewhere(doc[index], data), *doc[index + 1 :]]


def test_signed_fuzzed_receipts_and_reference_bundles_end_cleanly_on_a_device(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    from ccodesk.errors import KnownError
    from ccodesk.sync.device import device_identity

    add_engagement(camden, TITLE)
    receipt = merge_bundle(central, export(camden, tmp_path / "b.ccbundle"), tmp_path / "r")
    assert receipt.receipt is not None
    sources = {
        "receipt.json": members_of(receipt.receipt.read_bytes(), device_identity(camden)),
        "reference.json": members_of(reference_bundle(central)),
    }
    to_camden = [pyrage.x25519.Recipient.from_str(device_recipient(camden))]
    path = tmp_path / "fuzzed.ccbundle"
    state = {"refused": 0, "imported": 0}

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(data=st.data())
    def one(data: Any) -> None:
        member = data.draw(st.sampled_from(sorted(sources)))
        raw = {n: b for n, b in sources[member].items() if n not in (bundle.SUMS, bundle.SIG)}
        manifest = json.loads(raw["manifest.json"])
        manifest["bundle_id"] = new_id()
        doc = json.loads(raw[member])
        if data.draw(st.booleans()):
            doc = _replace_somewhere(doc, data)
        else:
            manifest = _replace_somewhere(manifest, data)
        raw = {
            **raw,
            "manifest.json": json.dumps(manifest).encode(),
            member: json.dumps(doc).encode(),
        }
        namespace = "ccodesk-receipt" if member == "receipt.json" else "ccodesk-bundle"
        path.write_bytes(pack(raw, central.signing_key, to_camden, namespace))
        with camden.session() as s:
            before = content_digest(s)
        try:
            import_bundle(camden, path, confirm_centre=lambda _fp: True)
        except KnownError as exc:  # a plain line; anything else fails the test
            state["refused"] += 1
            assert "\n" not in str(exc) and len(str(exc)) < 500, str(exc)
            with camden.session() as s:
                assert content_digest(s) == before, str(exc)
        else:
            state["imported"] += 1

    one()
    assert state["refused"] > 150


def test_a_file_without_a_size_is_read_with_a_cap(
    monkeypatch: pytest.MonkeyPatch, central: Central
) -> None:
    """`ccodesk-central merge /dev/zero` (or a pipe): stat says 0 bytes; reading stops at the
    cap instead of filling memory."""
    monkeypatch.setattr(bundle, "MAX_FILE", 10 * MiB)  # the real cap is 512 MiB
    outcome = merge_bundle(central, Path("/dev/zero"))
    assert not outcome.ok and outcome.message == (
        "/dev/zero is larger than any bundle ccodesk writes."
    )

"""What a hostile bundle costs the centre before it is refused (issue 12, point 5).

    .venv/bin/python benchmarks/hostile_bench.py [--gib 1.5] [--runs 3] [--trusted] [--code DIR]

In a temporary directory with a temporary keyring: a central unit (SQLite), and an unencrypted
bundle signed by a key the centre does not trust whose changes.jsonl inflates to 1.5 GiB (about
9.4 MB on disk, under the 200:1 ratio cap; see tests/support/hostile_zip.py). Each run is a
fresh process that opens the centre and calls `merge_bundle` (what `ccodesk-central merge FILE`
does); it reports the merge call's wall time and its peak RSS above the RSS before it (Linux:
the high-water mark reset through /proc/self/clear_refs, read as VmHWM), and the whole
process's wall time and peak RSS (`resource.getrusage`). Targets for the merge call: under 100
MB and under 1 s. `--trusted` makes the signer a trusted key whose SHA256SUMS lies about the
big member (an insider: the member must be inflated to find the lie). `--code DIR` measures
another checkout (e.g. `git archive` of the commit before the fix, unpacked) with the same
bundle."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from tests.support.hostile_zip import MiB, inflating_bundle  # noqa: E402
from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

# Run in the child: open the centre, then merge the file as `ccodesk-central merge` does, and
# print the whole process's figures and those of the merge alone.
CHILD = """
import resource, sys, time
from pathlib import Path
start = time.perf_counter()
from ccodesk.sync.central import open_central
from ccodesk.sync.central_merge import merge_bundle
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
central = open_central(Path(sys.argv[1]), None)
with open("/proc/self/clear_refs", "w") as refs:  # Linux: reset the high-water mark (VmHWM)
    refs.write("5")
before = status("VmRSS")
began = time.perf_counter()
outcome = merge_bundle(central, Path(sys.argv[2]))
merge_wall = time.perf_counter() - began
merge_peak = status("VmHWM")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
central.close()
import ccodesk
print(outcome.message)
print("CODE", ccodesk.__file__)
print(f"FIGURES {int(outcome.ok)} {merge_wall:.3f} {merge_peak - before:.1f} "
      f"{time.perf_counter() - start:.3f} {peak:.1f}")
"""


def run(home: Path, path: Path) -> tuple[bool, float, float, float, float, str]:
    """(merged?, merge seconds, MB added to the peak by the merge, process seconds, process
    peak MB, the outcome's line) of one fresh process merging `path`."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), str(path)],
        capture_output=True,
        text=True,
        env=os.environ,
        cwd=home,  # not this checkout: `python -c` puts the working directory first on sys.path
        timeout=900,
    )
    lines = done.stdout.splitlines()
    figures = next((x for x in lines if x.startswith("FIGURES")), None)
    if figures is None:
        raise SystemExit(f"the merge process failed:\n{done.stderr[-2000:]}")
    ok, wall, added, total, peak = figures.split()[1:]
    said = next((x for x in lines if not x.startswith(("FIGURES", "CODE"))), "")
    print(next(x for x in lines if x.startswith("CODE")))
    return ok == "1", float(wall), float(added), float(total), float(peak), said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.5, help="what the member inflates to")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--code", metavar="DIR", help="another checkout's ccodesk to measure (e.g. the previous)"
    )
    parser.add_argument(
        "--trusted",
        action="store_true",
        help="the centre trusts the signing key (whose SHA256SUMS lies about the big member)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccodesk-hostile-"))
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
    code = Path(args.code).resolve() if args.code else ROOT
    os.environ["PYTHONPATH"] = os.pathsep.join([str(code), str(ROOT)])
    os.environ["CCODESK_LOG_DIR"] = str(work / "logs")
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    from ccodesk.sync.central import init_central

    home = work / "centre"
    key = Ed25519PrivateKey.generate()
    with init_central(home, None, "Benchmark centre") as central:
        if args.trusted:  # an insider: the key is trusted, its SHA256SUMS lies about the member
            from ccodesk.sync import sshsig
            from ccodesk.sync.central import trust_add

            trust_add(central, "camden", "Ada", sshsig.openssh_public_key(key.public_key()))
    hostile = inflating_bundle(work / "hostile.ccbundle", int(args.gib * 1024) * MiB, key)
    signer = "a trusted key, its SHA256SUMS lying" if args.trusted else "an untrusted key"
    print(f"code: {os.environ.get('PYTHONPATH', '').split(os.pathsep)[0]}")
    print(f"hostile bundle: {hostile.stat().st_size / 1e6:.1f} MB on disk, changes.jsonl "
          f"inflating to {args.gib} GiB; signed by {signer}")  # fmt: skip
    runs = [run(home, hostile) for _ in range(args.runs)]
    print(f"refusal line: {runs[0][5]}")
    assert not any(r[0] for r in runs), "the hostile bundle was merged"
    median = statistics.median
    print(f"merge call:    wall median {median(r[1] for r in runs):.3f} s "
          f"(max {max(r[1] for r in runs):.3f}), peak RSS added median "
          f"{median(r[2] for r in runs):.1f} MB (max {max(r[2] for r in runs):.1f})")  # fmt: skip
    print(f"whole process: wall median {median(r[3] for r in runs):.3f} s, peak RSS median "
          f"{median(r[4] for r in runs):.1f} MB (interpreter, imports, store opened)")  # fmt: skip
    print("targets for the merge call: < 1 s, < 100 MB")


if __name__ == "__main__":
    main()

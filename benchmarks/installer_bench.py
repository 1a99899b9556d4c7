"""The frozen build (issue 14): its size, and how fast the frozen desktop starts.

    .venv/bin/python benchmarks/installer_bench.py [--dist dist/ccodesk]

Run after `make installer` (or `bash installer/build.sh`). Measures, offscreen, on a
borough-year of demo data made by the frozen command line:
  * the size of the one-folder build on disk, and of its largest parts;
  * a bare PySide6 window (this interpreter) and the frozen `ccodesk --smoke-test`, started
    alternately, 11 of each: from spawning the process to the window shown, and to the
    dashboard filled, as medians and as ratios to the bare window;
  * the same for the unfrozen app (`.venv/bin/ccodesk`), for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTS = 11
BARE = (
    "import sys, time; from PySide6.QtWidgets import QApplication, QMainWindow, QLabel; "
    "app=QApplication(sys.argv[:1]); w=QMainWindow(); w.setCentralWidget(QLabel('hello')); "
    "w.resize(1200, 760); w.show(); app.processEvents(); w.grab(); print('shown', time.time())"
)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def marks(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning `args` to each mark it prints ("shown <epoch>" or "smoke times:")."""
    started = time.time()
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    found: dict[str, float] = {}
    for line in out.splitlines():
        if line.startswith("shown "):
            found["shown"] = float(line.split()[1]) - started
        elif line.startswith("smoke times: "):
            for pair in line.removeprefix("smoke times: ").split():
                name, value = pair.split("=")
                found[name] = float(value) - started
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "ccodesk")
    args = parser.parse_args()
    dist = args.dist.resolve()
    if not (dist / "ccodesk").exists():
        raise SystemExit(f"no frozen build in {dist}: run 'make installer' first")
    work = Path(tempfile.mkdtemp(prefix="ccodesk-installer-bench-"))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "CCODESK_PASSPHRASE": "installer bench",
        "CCODESK_CONFIG_DIR": str(work / "config"),
        "CCODESK_LOG_DIR": str(work / "log"),
    }
    store = work / "store"
    cli = [str(dist / "ccodesk-cli"), "--data-dir", str(store)]
    subprocess.run([*cli, "init", "--borough", "Camden", "--officer", "Bench"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([*cli, "demo-data", "--scale", "1"], env=env, check=True, capture_output=True)

    frozen = [str(dist / "ccodesk"), "--data-dir", str(store), "--smoke-test"]
    unfrozen = [str(ROOT / ".venv" / "bin" / "ccodesk"), "--data-dir", str(store), "--smoke-test"]
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "frozen": [], "unfrozen": []}
    for _ in range(STARTS):
        runs["bare"].append(marks([sys.executable, "-c", BARE], env))
        runs["frozen"].append(marks(frozen, env))
        runs["unfrozen"].append(marks(unfrozen, env))

    def median(kind: str, mark: str) -> float:
        return statistics.median(r[mark] for r in runs[kind])

    bare = median("bare", "shown")
    ms = 1000
    print(f"Frozen build: {dist}, {size_of(dist) / 1e6:.0f} MB on disk")
    parts = sorted(((size_of(p) if p.is_dir() else p.stat().st_size), p.name)
                   for p in (dist / "_internal").iterdir())  # fmt: skip
    print("largest parts: " + ", ".join(f"{n} {s / 1e6:.0f} MB" for s, n in parts[::-1][:5]))
    print(f"\n| figure, median of {STARTS} | value |\n|---|---|")
    print(f"| bare PySide6 window shown | {bare * ms:.0f} ms |")
    for kind in ("frozen", "unfrozen"):
        shown, ready = median(kind, "shown"), median(kind, "ready")
        print(f"| {kind} ccodesk: window shown | {shown * ms:.0f} ms ({shown / bare:.2f}× bare) |")
        print(
            f"| {kind} ccodesk: dashboard filled | {ready * ms:.0f} ms ({ready / bare:.2f}× bare) |"
        )


if __name__ == "__main__":
    main()

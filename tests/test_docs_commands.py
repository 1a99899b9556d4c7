"""Every command block in README.md and docs/*.md runs as written, in order, on a fresh store.

Which blocks are examples to run: every fenced block tagged ```sh, ```bash or ```console
(in a console block only the lines after a `$ ` prompt, continuation lines included, are
commands; the rest is output). Untagged fences (```) are synopses with placeholders such as
`ENGAGEMENT_ID` or `FILE.pdf`, and ```json/```text blocks show formats: neither is run, but
each `ccodesk-cli …`/`ccodesk-central …` line of a synopsis must name a real command and real
options (checked against its `--help`), and so must each benchmark line of a skipped block.

Two markers, each an HTML comment on the line right before a block, and each with a reason:

- `<!-- not run: REASON -->` skips the block (a benchmark that takes minutes, the desktop app,
  a tool this machine lacks). The reason is part of the document, for its readers too.
- `<!-- run last: REASON -->` runs the block after the file's other blocks (a passage that
  uses what a later section sets up, like the central report before the centre's set-up).

One file's blocks run in one `bash -euo pipefail` process, in a fresh temporary directory
that holds a `.venv` link to this project's virtualenv (the README writes
`.venv/bin/ccodesk-cli`; the guides write `ccodesk-cli`, so `.venv/bin` is also first on
PATH), with a fresh HOME and XDG directories, the tests' temporary keyring backend
(tests/support/temp_keyring.py) in place of the OS keyring, and no standard input: a command
that would ask something must say `--yes` (or read `CCODESK_PASSPHRASE`) as the docs do.
`pipefail` also means no `… | head`: the writer of a closed pipe exits non-zero (seq too);
the docs use `--limit` instead. Each block must exit 0; the assertion names the document, the
block's line and text, and its own output. The documents run side by side (two cores).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_TAGS = {"sh", "bash", "console"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
MARKER = re.compile(r"^\s*<!--\s*(?P<kind>not run|run last)\s*:(?P<reason>.*?)-->\s*$")
BLOCK_START = "@@ccodesk-docs block {n}@@"


@dataclass(frozen=True)
class Block:
    """One fenced block of a markdown file."""

    line: int  # 1-based line of the opening fence
    tag: str
    text: str
    marker: str | None  # "not run", "run last" or None
    reason: str

    @property
    def runs(self) -> bool:
        return self.tag in RUN_TAGS and self.marker != "not run"

    def commands(self) -> str:
        if self.tag != "console":
            return self.text
        lines: list[str] = []
        continued = False
        for line in self.text.splitlines():
            if line.startswith("$ "):
                lines.append(line[2:])
            elif continued:
                lines.append(line)
            else:
                continue
            continued = line.rstrip().endswith("\\")
        return "\n".join(lines) + "\n"


def blocks_of(path: Path) -> list[Block]:
    """The fenced blocks of a markdown file, with the marker (if any) on the line before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match["fence"]
        tag = match["info"].strip().split(" ")[0].lower() if match["info"].strip() else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j])
            j += 1
        assert j < len(lines), f"{path.name}:{i + 1}: a ``` block that is never closed"
        previous = lines[i - 1] if i > 0 else ""
        marked = MARKER.match(previous)
        found.append(
            Block(
                line=i + 1,
                tag=tag,
                text="\n".join(body) + "\n",
                marker=marked["kind"] if marked else None,
                reason=marked["reason"].strip() if marked else "",
            )
        )
        i = j + 1
    return found


def in_running_order(blocks: list[Block]) -> list[Block]:
    runnable = [b for b in blocks if b.runs]
    return [b for b in runnable if b.marker is None] + [b for b in runnable if b.marker]


def script_for(blocks: list[Block]) -> str:
    """One shell script: each block announced by a line the output can be split on."""
    parts = []
    for n, block in enumerate(blocks):
        parts.append(f"printf '\\n%s\\n' '{BLOCK_START.format(n=n)}'\n")
        parts.append(block.commands())
    return "".join(parts)


def fresh_environment(base: Path) -> dict[str, str]:
    """A user with nothing yet: fresh home and XDG dirs, the tests' keyring, no store chosen."""
    home = base / "home"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CCODESK_") and key not in ("VIRTUAL_ENV", "PYTHONHOME")
    }
    for var, sub in (
        ("HOME", ""),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
    env["CCODESK_TEST_KEYRING_FILE"] = str(base / "keyring.json")
    env["PYTHONPATH"] = str(ROOT)
    env["PATH"] = f"{base / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    return env


def venv() -> Path:
    """The project's virtualenv: the one the docs mean by `.venv`, or the one running us."""
    return ROOT / ".venv" if (ROOT / ".venv" / "bin").is_dir() else Path(sys.prefix)


def _runnable_documents() -> list[Path]:
    return [d for d in DOCUMENTS if any(b.runs for b in blocks_of(d))]


def _benchmark_commands() -> list[tuple[str, str]]:
    """(where, command) for each `.venv/bin/python benchmarks/…` line of a skipped block."""
    found = []
    for document in DOCUMENTS:
        for block in blocks_of(document):
            if block.marker != "not run":
                continue
            for line in block.text.splitlines():
                command = line.split("#", 1)[0].strip()
                if command.startswith(".venv/bin/python benchmarks/"):
                    found.append((f"{document.name}:{block.line}", command))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_markers_say_why(document: Path) -> None:
    """A marker stands right before a command block and gives its reason."""
    text = document.read_text(encoding="utf-8")
    for block in blocks_of(document):
        where = f"{document.name}:{block.line}"
        if block.marker:
            assert block.reason, f"{where}: a '{block.marker}:' marker without a reason"
            assert block.tag in RUN_TAGS, f"{where}: '{block.marker}' before a block never run"
    markers = [line for line in text.splitlines() if MARKER.match(line)]
    marked = [b for b in blocks_of(document) if b.marker]
    assert len(markers) == len(marked), (
        f"{document.name}: a marker that is not right before a block"
    )


class DocumentRun:
    """One document's blocks running in their own shell, fresh directory and fresh home."""

    def __init__(self, document: Path, base: Path) -> None:
        self.document = document
        self.blocks = in_running_order(blocks_of(document))
        work = base / "work"
        work.mkdir()
        (work / ".venv").symlink_to(venv(), target_is_directory=True)
        script = base / "blocks.sh"
        script.write_text(script_for(self.blocks), encoding="utf-8")
        self.log = base / "output.txt"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", "-euo", "pipefail", str(script)],
                cwd=work,
                env=fresh_environment(work),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait(self) -> tuple[int, str]:
        code = self.process.wait(timeout=600)  # a hang guard, not a timing check
        return code, self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


RUN_TEST = "test_every_command_block_runs_as_written"


@pytest.fixture(scope="module")
def document_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[Path, DocumentRun]]:
    """Start every selected document's run at once (they are independent, and the README's
    and the guide's are about as long, so two cores halve the wait); each test waits for its own."""
    selected = {
        item.callspec.params["document"]
        for item in request.session.items
        if getattr(item, "originalname", "") == RUN_TEST and hasattr(item, "callspec")
    }
    runs = {d: DocumentRun(d, tmp_path_factory.mktemp(d.stem)) for d in sorted(selected)}
    yield runs
    for run in runs.values():
        run.stop()


@pytest.mark.parametrize("document", _runnable_documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_block_runs_as_written(
    document: Path, document_runs: dict[Path, DocumentRun]
) -> None:
    code, output = document_runs[document].wait()
    if code != 0:
        pytest.fail(failure_report(document_runs[document], code, output), pytrace=False)


def failure_report(run: DocumentRun, code: int, output: str) -> str:
    """Which block failed (the last one announced), its text, and only its own output."""
    starts = [output.rfind(BLOCK_START.format(n=n)) for n in range(len(run.blocks))]
    failed = max((n for n, at in enumerate(starts) if at >= 0), default=0)
    block = run.blocks[failed]
    own_output = output[max(starts[failed], 0) :].split("\n", 1)[-1].strip()
    name = run.document.relative_to(ROOT) if run.document.is_relative_to(ROOT) else run.document
    return (
        f"{name}:{block.line}: the ```{block.tag} block exited with status {code}.\n"
        f"--- the block ---\n{block.text}--- its output ---\n{own_output}\n"
    )


def test_a_failing_block_is_named_with_its_output(tmp_path: Path) -> None:
    """The harness itself: blocks share one shell, in order; the first failure stops the run."""
    doc = tmp_path / "sample.md"
    doc.write_text(
        "```sh\nexport WORD=kept\necho first\n```\n\n"
        "<!-- not run: never -->\n```sh\nexit 3\n```\n\n"
        "```\nsynopsis FILE\n```\n\n"
        '```sh\necho "second $WORD"\nfalse\necho unreachable\n```\n\n'
        "```bash\necho third\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "run").mkdir()
    run = DocumentRun(doc, tmp_path / "run")
    code, output = run.wait()
    assert code == 1
    report = failure_report(run, code, output)
    assert report.startswith(f"{doc}:15: the ```sh block exited with status 1.")
    assert "--- its output ---\nsecond kept\n" in report
    assert "first" not in report.split("--- its output ---")[1]
    assert "unreachable" not in output and "third" not in output


def _synopsis_lines() -> list[tuple[str, str]]:
    """(where, line) for each `ccodesk-cli …`/`ccodesk-central …` line of an untagged block."""
    found = []
    for document in DOCUMENTS:
        for block in blocks_of(document):
            if block.tag:
                continue
            for n, line in enumerate(block.text.splitlines(), start=block.line + 1):
                command = line.split("#", 1)[0].strip()
                if command.split(" ")[0] in ("ccodesk-cli", "ccodesk-central"):
                    found.append((f"{document.name}:{n}", command))
    return found


@pytest.mark.parametrize(("where", "line"), _synopsis_lines(), ids=lambda x: x)
def test_synopses_name_real_commands_and_options(where: str, line: str) -> None:
    """A synopsis has placeholders and is not run, but its commands and options exist."""
    words = line.replace("[", " ").replace("]", " ").split()
    path = []
    for word in words[1:]:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
    program = str(venv() / "bin" / words[0])
    shown = subprocess.run(
        [program, *path, "--help"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,  # a hang guard
    )
    assert shown.returncode == 0, (
        f"{where}: {' '.join([words[0], *path])} is no command:\n{shown.stderr}"
    )
    for option in (w for w in words if w.startswith("-") and len(w) > 1):
        assert re.search(rf"(^|[\s\[]){re.escape(option)}\b", shown.stdout), (
            f"{where}: {' '.join([words[0], *path])} has no {option} option:\n{shown.stdout}"
        )


@pytest.mark.parametrize(("where", "command"), _benchmark_commands(), ids=lambda x: x)
def test_skipped_benchmark_commands_name_real_options(where: str, command: str) -> None:
    """A benchmark is not run here, but its script exists and takes the options shown."""
    words = command.replace("[", " ").replace("]", " ").split()
    script = ROOT / words[1]
    assert script.is_file(), f"{where}: {words[1]} does not exist"
    shown = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,  # a hang guard
    )
    assert shown.returncode == 0, f"{where}: {words[1]} --help failed:\n{shown.stderr}"
    for option in (w for w in words[2:] if w.startswith("--")):
        assert re.search(rf"(^|\s){re.escape(option)}\b", shown.stdout), (
            f"{where}: {words[1]} has no {option} option:\n{shown.stdout}"
        )


def test_markers_and_blocks_are_found() -> None:
    """The extraction itself: tags, markers, console prompts and the running order."""
    sample = ROOT / "README.md"
    readme = blocks_of(sample)
    assert any(b.runs for b in readme), "the README's command-line example is not run"
    console = Block(1, "console", "$ echo a \\\n  b\na b\n$ true\n", None, "")
    assert console.commands() == "echo a \\\n  b\ntrue\n"
    first = Block(1, "sh", "echo 1\n", "run last", "later")
    second = Block(5, "sh", "echo 2\n", None, "")
    skipped = Block(9, "sh", "exit 1\n", "not run", "why")
    assert in_running_order([first, second, skipped]) == [second, first]


def test_the_stock_tool_recipe_is_run_not_skipped() -> None:
    """docs/bundle-format.md's check with age, unzip, ssh-keygen and sha256sum is among the
    blocks run (from a fresh centre and device): a bundle, a receipt and a reference bundle,
    each verified for its own namespace, with no placeholder left to fill in."""
    document = ROOT / "docs" / "bundle-format.md"
    run = "".join(b.commands() for b in in_running_order(blocks_of(document)))
    for step in (
        "ccodesk-central init",
        "ccodesk-cli init",
        "ccodesk-cli sync export -o camden-1.ccbundle",
        "ccodesk-central key export-age-identity -o centre.key",
        "ccodesk-cli key export-age-identity -o camden.key",
        "ccodesk-central trust export-allowed-signers -o allowed_signers",
        "age -d -i centre.key -o bundle.zip camden-1.ccbundle",
        "-n ccodesk-bundle \\\n    -s bundle/SHA256SUMS.sig",
        "age -d -i camden.key -o receipt.zip receipts/",
        "-n ccodesk-receipt \\\n    -s receipt/SHA256SUMS.sig",
        "-n ccodesk-bundle \\\n    -s reference/SHA256SUMS.sig",
        "(cd bundle && sha256sum -c --strict SHA256SUMS)",
        "(cd receipt && sha256sum -c --strict SHA256SUMS)",
        "(cd reference && sha256sum -c --strict SHA256SUMS)",
    ):
        assert step in run, f"docs/bundle-format.md no longer runs {step!r}"
    assert "<principal>" not in document.read_text(encoding="utf-8")

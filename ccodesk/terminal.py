"""Text from outside (bundle titles, officer and borough names, file names) made safe to print
on a terminal: control characters shown, never obeyed.

A title such as "\\x1b[2J\\x1b]0;pwned\\x07" would clear the screen and retitle the window,
and U+202E (right-to-left override) would make the rest of a line read backwards. `printable`
writes each such character as a visible escape (`\\x1b`, `\\u202e`) and leaves all other text,
accented letters and other scripts included, as it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# C0 controls (with ESC, TAB, CR and LF), DEL, C1 controls, the bidirectional embeddings,
# overrides, isolates and marks, and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` as a string with every terminal control and bidi override escaped visibly."""
    return _UNSAFE.sub(_escape, str(text))


def printable_lines(text: str) -> str:
    """Many lines (a report, CSV) made printable line by line: the line breaks (LF, or CR LF
    as the csv module writes them) stay; every other control is escaped."""
    lines = []
    for line in text.split("\n"):
        ending = "\r" if line.endswith("\r") else ""
        lines.append(printable(line.removesuffix("\r")) + ending)
    return "\n".join(lines)


def confirm_file_write(message: str, path: Path, assume_yes: bool) -> None:
    """Before writing a sensitive file: refuse an existing `path`, say `message` (on stderr)
    and ask, unless `assume_yes`. Raises KnownError (nothing written) when not confirmed."""
    from ccodesk.errors import KnownError

    if path.exists() or path.is_symlink():
        raise KnownError(f"{path} already exists; it was left as it is.")
    print(message, file=sys.stderr)
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise KnownError("Nothing was written: no terminal to confirm on (pass --yes).")
    if input("Write it? [y/N] ").strip().lower() not in ("y", "yes"):
        raise KnownError("Nothing was written.")

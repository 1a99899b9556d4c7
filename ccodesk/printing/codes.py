"""Form codes: the short code printed (and held in a QR code) on every form.

A code is eight characters, printed as two groups of four ("EK4Q-7MX2"): the form's kind, six
characters naming the engagement, and a check character. The alphabet leaves out 0, 1, I, L,
O and U, so a code read off paper cannot be misread, and the check character (Luhn mod 30)
rejects any single mistyped character and any two neighbours typed the wrong way round.

The engagement part is derived from the engagement's id (its first seven hex digits), so no
column is needed: a code is looked up by id prefix. Blank forms carry the engagement part
"222222" (zero), and are keyed against an engagement chosen when the answers are entered.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ccodesk.errors import ValidationError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)  # 30
HEX_DIGITS = 7  # of the engagement id: 28 bits, one in 268 million
ENGAGEMENT_CHARS = 6  # 30**6 > 2**28 + 1
SHEET_SEPARATOR = "/"


class FormKind(enum.StrEnum):
    """What a printed sheet is; the value is the code's first character."""

    PACK = "P"
    SIGN_IN = "S"
    EQUALITY = "E"
    FEEDBACK = "F"

    @property
    def label(self) -> str:
        return {
            FormKind.PACK: "Meeting pack",
            FormKind.SIGN_IN: "Attendance sign-in sheet",
            FormKind.EQUALITY: "Equality monitoring form",
            FormKind.FEEDBACK: "Feedback form",
        }[self]


def _check_char(body: str) -> str:
    """Luhn mod N over `body`: the character that makes the whole code check out."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // BASE + addend % BASE
    return ALPHABET[(BASE - total % BASE) % BASE]


def _engagement_number(engagement_id: str | None) -> int:
    if engagement_id is None:
        return 0
    return int(engagement_id.replace("-", "")[:HEX_DIGITS], 16) + 1


def _digits(number: int) -> str:
    chars = []
    for _ in range(ENGAGEMENT_CHARS):
        number, rest = divmod(number, BASE)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def form_code(kind: FormKind, engagement_id: str | None) -> str:
    """The code of a form of `kind` for an engagement (None: a blank form), e.g. EK4Q-7MX2."""
    body = kind.value + _digits(_engagement_number(engagement_id))
    code = body + _check_char(body)
    return f"{code[:4]}-{code[4:]}"


def sheet_label(code: str, sheet: int | None) -> str:
    """What the QR code holds and a scanner types: the code, and the sheet number if any."""
    return f"{code}{SHEET_SEPARATOR}{sheet}" if sheet else code


@dataclass(frozen=True)
class ParsedCode:
    """A code read back: the kind, the engagement id prefix (None: blank) and the sheet."""

    code: str  # normalised, e.g. "EK4Q-7MX2"
    kind: FormKind
    id_prefix: str | None
    sheet: int | None


_SHEET = re.compile(r"^(?P<code>.*?)(?:\s*[/#]\s*|\s+)(?P<sheet>\d{1,4})$")


def parse_code(text: str) -> ParsedCode:
    """Read a typed or scanned code ("ek4q 7mx2", "EK4Q-7MX2/3"); raise ValidationError."""
    raw = text.strip().upper()
    sheet: int | None = None
    match = _SHEET.match(raw)
    if match and len(re.sub(r"[\s-]", "", match["code"])) == 8:
        raw, sheet = match["code"], int(match["sheet"])
    compact = re.sub(r"[\s-]", "", raw)
    if len(compact) != 8:
        raise ValidationError(
            f"a form code has 8 characters, like EK4Q-7MX2; {text.strip()!r} has {len(compact)}"
        )
    bad = sorted({c for c in compact if c not in ALPHABET})
    if bad:
        raise ValidationError(
            f"{text.strip()!r} has {', '.join(bad)}, which no form code has "
            "(codes leave out 0, 1, I, L, O and U); read it again"
        )
    try:
        kind = FormKind(compact[0])
    except ValueError:
        raise ValidationError(
            f"{text.strip()!r} is not a form code: it must start with P, S, E or F"
        ) from None
    if _check_char(compact[:7]) != compact[7]:
        raise ValidationError(
            f"{text.strip()!r} does not check out: a character is mistyped; read it again"
        )
    number = 0
    for char in compact[1:7]:
        number = number * BASE + ALPHABET.index(char)
    if number > 16**HEX_DIGITS:
        raise ValidationError(f"{text.strip()!r} is not a code ccodesk printed")
    prefix = None if number == 0 else f"{number - 1:0{HEX_DIGITS}x}"
    return ParsedCode(f"{compact[:4]}-{compact[4:]}", kind, prefix, sheet)

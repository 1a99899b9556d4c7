"""User settings: a small JSON file in the platform's config directory, written atomically."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ccodesk.errors import ValidationError
from ccodesk.fileio import atomic_write_bytes

log = logging.getLogger(__name__)
CONFIG_DIR_ENV = "CCODESK_CONFIG_DIR"


@dataclass
class Settings:
    # Consultee fatigue: warn when an organisation would be consulted again after being
    # consulted this many times within the window (strategy 2.2: avoid consultee fatigue).
    fatigue_threshold: int = 3
    fatigue_window_days: int = 90
    # Hourly rate (pence) offered for CCO time when officer time is recorded.
    cco_hourly_rate_pence: int = 2400
    # The central unit's boroughs board: a borough whose last bundle came longer ago than
    # this is late (issue 16).
    central_late_days: int = 14
    # The central unit's inbox: where the receipts of merged bundles are written ("": not
    # chosen yet).
    central_outbox: str = ""
    # The central officer's name, put on the follow-up notes they write ("": asked first).
    central_officer: str = ""

    def validate(self) -> None:
        problems = []
        if not 1 <= self.fatigue_threshold <= 50:
            problems.append("the fatigue threshold must be between 1 and 50 consultations")
        if not 7 <= self.fatigue_window_days <= 730:
            problems.append("the fatigue window must be between 7 and 730 days")
        if self.cco_hourly_rate_pence < 0:
            problems.append("the hourly rate cannot be negative")
        if not 1 <= self.central_late_days <= 365:
            problems.append("a borough can be late after between 1 and 365 days")
        if len(self.central_officer) > 120:
            problems.append("the officer's name is longer than 120 characters")
        if problems:
            raise ValidationError(problems)


def settings_path() -> Path:
    env = os.environ.get(CONFIG_DIR_ENV)
    import platformdirs  # ~4 ms: imported when needed, not at start-up

    base = Path(env) if env else platformdirs.user_config_path("ccodesk", appauthor=False)
    return base / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults for anything missing, unknown or unreadable."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return Settings()
    except (ValueError, OSError, RecursionError) as exc:
        log.warning("ignoring unreadable settings %s: %s", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        log.warning("ignoring settings %s: not a JSON object", path)
        return Settings()
    defaults = Settings()
    known = {f.name: type(getattr(defaults, f.name)) for f in fields(Settings)}
    values = {
        k: v
        for k, v in raw.items()
        if k in known and isinstance(v, known[k]) and not isinstance(v, bool)
    }
    settings = Settings(**values)
    try:
        settings.validate()
    except ValidationError as exc:
        log.warning("ignoring invalid settings %s: %s", path, exc)
        return Settings()
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    settings.validate()
    target = path or settings_path()
    from ccodesk.failures import file_boundary

    with file_boundary(target):
        atomic_write_bytes(target, json.dumps(asdict(settings), indent=2).encode())

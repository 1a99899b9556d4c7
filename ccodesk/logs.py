"""The program's log file, in the platform's user log directory."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_DIR_ENV = "CCODESK_LOG_DIR"


def log_dir() -> Path:
    env = os.environ.get(LOG_DIR_ENV)
    import platformdirs  # ~4 ms: imported when needed, not at start-up

    return Path(env) if env else platformdirs.user_log_path("ccodesk", appauthor=False)


def log_exception(message: str, name: str = "ccodesk") -> Path:
    """Write `message` with the exception being handled (its traceback) to the log file named
    `name`; return the file's path. For a command line that reports a bug in one line."""
    path = log_dir() / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(f"ccodesk.failures.{name}")
    logger.addHandler(handler)
    try:
        logger.exception(message)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def configure_logging(name: str = "ccodesk") -> Path:
    """Log INFO and above to a rotating file (1 MB × 3); return the file's path."""
    path = log_dir() / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path

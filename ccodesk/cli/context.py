"""The one context every command is given: how to open the store, ask for the passphrase of
the store's keys, and show the progress of long work; and the confirmations the commands ask
for on the terminal.

Only the standard library is imported here; the store loads when a command opens it, so the
command line starts fast.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ccodesk.errors import KeyUnavailable, ValidationError

StoreT = TypeVar("StoreT", covariant=True)

Progress = Callable[[int, int, str], None]


class ProgressPrinter(Protocol):
    """Makes a `progress(done, total, what)` callback for one piece of long work."""

    def __call__(self, label: str, *, quiet_for: float = ...) -> Progress: ...


def prompt_passphrase(confirm: bool) -> str:
    """Ask for the passphrase of the store's keys on the terminal (twice when `confirm`)."""
    if not sys.stdin.isatty():
        raise KeyUnavailable(
            "No passphrase: this store's keys are protected by a passphrase and there is no "
            "terminal to ask for it. Set CCODESK_PASSPHRASE for unattended use."
        )
    first = getpass.getpass("Passphrase for the store's keys: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise ValidationError("the two passphrases differ")
    return first


def progress_printer(label: str, *, quiet_for: float = 0.0) -> Progress:
    """progress(done, total, what) as a bar on stderr (a line every 2 s when it is not a
    terminal); nothing at all for work that ends within `quiet_for` seconds."""
    interactive = sys.stderr.isatty()
    started = time.monotonic()
    last = [0.0]

    def show(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - started < quiet_for:
            return
        if done < total and now - last[0] < (0.1 if interactive else 2.0):
            return
        last[0] = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        line = f"{label} [{bar}] {100 * done // max(total, 1):3d}%  {what}"
        if interactive:
            sys.stderr.write("\r" + line[:100].ljust(100))
            if done >= total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return show


PassphrasePrompt = Callable[[bool], str]


@dataclass(frozen=True)
class Context(Generic[StoreT]):
    """Built once by an entry point (`borough.main`, `central.main`) and passed to every
    command as `func(args, context)`.

    `opener(args, prompt)` opens the entry point's store (the borough's `Store`, the centre's
    `Central`); `prompt` asks for the passphrase of its keys when they need one; `progress`
    makes the progress callback of a long job."""

    opener: Callable[[argparse.Namespace, PassphrasePrompt], StoreT]
    prompt: PassphrasePrompt = prompt_passphrase
    progress: ProgressPrinter = progress_printer

    def open_store(self, args: argparse.Namespace) -> StoreT:
        """The store the command line's options name, opened (use it in a `with`)."""
        return self.opener(args, self.prompt)


def confirm_centre(assume_yes: bool) -> Callable[[str], bool]:
    """Ask the officer to confirm a centre's key fingerprint before it is pinned."""

    def ask(fingerprint: str) -> bool:
        print(f"The central unit's key fingerprint is {fingerprint}.", file=sys.stderr)
        print("Check it with the central unit (by phone, or on its letter).", file=sys.stderr)
        if assume_yes:
            print("Confirmed (--yes).", file=sys.stderr)
            return True
        if not sys.stdin.isatty():
            print("No terminal to confirm on: pass --yes to confirm.", file=sys.stderr)
            return False
        return input("Trust this key? [y/N] ").strip().lower() in ("y", "yes")

    return ask


def confirm_secret_export(what: str, path: Path, assume_yes: bool) -> None:
    """Say what writing a secret key file means and ask first (KnownError: nothing written)."""
    from ccodesk.terminal import confirm_file_write

    confirm_file_write(
        f"This writes {what} to {path}: whoever has the file can read every bundle and "
        "receipt addressed to it.",
        path,
        assume_yes,
    )

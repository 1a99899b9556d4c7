"""The desktop's shell, shared by the borough's window and the central unit's: navigation
between pages, the page stack with an "Opening…" page first, a tool bar and menus whose
commands carry their shortcuts, a status bar that says whose store and where, and the
window's geometry kept between runs (see `MainWindow` and `CentralWindow`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QThreadPool
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ccodesk.ui.icons import icon

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QCloseEvent

Keys = tuple[QKeySequence | QKeySequence.StandardKey | str, ...]


class OpeningPage(QWidget):
    """What the window shows while the store is being opened (keys, decryption, migrations).

    Built before anything else, so it is kept cheap: centred by stretches.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.label = QLabel()
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_text(text)
        busy = QProgressBar()
        busy.setRange(0, 0)  # busy, not a fraction
        busy.setAccessibleName("Opening the store")
        busy.setFixedWidth(320)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(busy)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addStretch(1)

    def set_text(self, text: str) -> None:
        self.label.setText(text)  # plain text: a rich-text label costs ~6 ms more to build


class Shell(QMainWindow):
    """Pages named in `PAGES` (with `ICONS`), a stack showing the opening page until the
    subclass adds its pages, a tool bar, and the status label.

    The subclass builds its menus with `command`, adds its pages to `stack`, enables
    `navigation` once they are built, and says when it has them (`has_pages`).
    """

    PAGES: tuple[str, ...] = ()
    ICONS: tuple[str, ...] = ()
    GEOMETRY = "main/geometry"  # the key of the window's geometry in the window state
    TOOLBAR = ("daily-work", "Daily work")  # object name, accessible name

    def __init__(self, opening_text: str) -> None:
        super().__init__()
        self.setWindowTitle("ccodesk")
        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Pages")
        for name, icon_name in zip(self.PAGES, self.ICONS, strict=True):
            self.navigation.addItem(QListWidgetItem(icon(icon_name), name))
        self.navigation.setIconSize(QSize(24, 24))
        self.navigation.setEnabled(False)
        self.setWindowIcon(icon("ccodesk"))
        self.navigation.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.opening = OpeningPage(opening_text)
        self.stack.addWidget(self.opening)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.status = QLabel("Opening the store…")
        self.status.setAccessibleName("Store status")
        # The status may be longer than a narrow window: it never widens the window.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addPermanentWidget(self.status, 1)

        self.toolbar = self.addToolBar(self.TOOLBAR[1])
        self.toolbar.setObjectName(self.TOOLBAR[0])
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setAccessibleName(self.TOOLBAR[1])

    def has_pages(self) -> bool:
        """Whether the pages are built (the store is open)."""
        raise NotImplementedError

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)

    def drop_opening_page(self) -> None:
        """The store is open: the opening page goes."""
        self.stack.removeWidget(self.opening)
        self.opening.deleteLater()

    # -- commands --------------------------------------------------------------------------

    def command(
        self,
        text: str,
        keys: Keys,
        slot: Callable[..., object],
        menu: QMenu,
        *,
        tool: str = "",
    ) -> QAction:
        """An action in `menu` with its shortcuts (a standard key's every binding), on the
        tool bar too under the shorter label `tool` when given.

        The tool bar folds what does not fit into its extension menu (») on a narrow screen;
        the status bar keeps only the store's status, so nothing is pushed off a laptop's screen.
        """
        action = QAction(text, self)
        sequences: list[QKeySequence] = []
        for key in keys:
            for sequence in (
                QKeySequence.keyBindings(key)
                if isinstance(key, QKeySequence.StandardKey)
                else [QKeySequence(key)]
            ):
                if not sequence.isEmpty() and sequence not in sequences:
                    sequences.append(sequence)
        action.setShortcuts(sequences)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        if tool:
            action.setIconText(tool)  # the tool bar's shorter label
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({shortcut})" if shortcut else text)
            self.toolbar.addAction(action)
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(text.rstrip("…"))
        return action

    ABOUT = ""  # what this window is, for Help > About

    def about(self) -> None:
        """Help > About: the version and what this window is for."""
        from PySide6.QtWidgets import QMessageBox

        from ccodesk import __version__

        QMessageBox.about(self, "About ccodesk", f"ccodesk {__version__}\n\n{self.ABOUT}")

    def page_commands(self, menu: QMenu) -> None:
        """Go to each page by Ctrl+1, Ctrl+2…"""
        for number, name in enumerate(self.PAGES, start=1):
            self.command(
                name,
                (f"Ctrl+{number}",),
                lambda _=False, row=number - 1: self.go_to(row),
                menu,
            )

    def go_to(self, row: int) -> None:
        """Show a page from the keyboard (Ctrl+1…) and put the focus in it, not in the list."""
        self.navigation.setCurrentRow(row)
        page = self.stack.currentWidget()
        if not self.has_pages() or page is None:
            return
        if page.focusProxy() is not None or page.focusPolicy() != Qt.FocusPolicy.NoFocus:
            page.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = page.nextInFocusChain()
        while widget is not None and widget is not page:
            if (
                page.isAncestorOf(widget)
                and widget.isVisibleTo(page)
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            widget = widget.nextInFocusChain()

    # -- window state ----------------------------------------------------------------------

    def restore_geometry(self) -> dict[str, bytes]:
        """The size and place of the last run, or a size that fits this screen."""
        from ccodesk.ui.window_state import fitted, read_state

        state = read_state()
        geometry = state.get(self.GEOMETRY)
        if geometry is None or not self.restoreGeometry(QByteArray(geometry)):
            screen = self.screen().availableGeometry()
            rect = fitted(screen, 1280, 800)
            self.setGeometry(rect)
            if (rect.width(), rect.height()) != (1280, 800):  # a laptop: use the whole screen
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        self._window_state = state
        return state

    def save_window_state(self) -> None:
        """Keep the window's geometry and every page's splitters for the next run."""
        from ccodesk.ui.window_state import save_splitters, write_state

        state = dict(self._window_state)
        state[self.GEOMETRY] = bytes(self.saveGeometry().data())
        if self.has_pages():
            for index in range(self.stack.count()):
                page = self.stack.widget(index)
                if page is not None:
                    save_splitters(page, type(page).__name__, state)
        write_state(state)
        self._window_state = state

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        # Queries still running on the pool finish before whoever closes the store can.
        QThreadPool.globalInstance().waitForDone()
        super().closeEvent(event)

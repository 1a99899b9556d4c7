"""Actions & feedback: open actions, findings with no outcome, and "you said, we did"."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ccodesk.services import followup
from ccodesk.store import Store
from ccodesk.ui.lazy import LoadOnShow

SHOWN = 500  # rows per list; the tab says when there are more


def _tree(headers: list[str], accessible: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setAccessibleName(accessible)
    tree.setColumnWidth(0, 380)
    return tree


class FollowUpPage(LoadOnShow):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.action_list = _tree(["Action", "Owner", "Due", "Status", "Engagement"], "Open actions")
        self.findings = _tree(["Finding", "Engagement", "Held"], "Findings with no outcome")
        self.you_said = _tree(["You said", "We did", "Engagement"], "You said, we did")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.action_list, "Open actions")
        self.tabs.addTab(self.findings, "Findings with no outcome")
        self.tabs.addTab(self.you_said, "You said, we did")
        QVBoxLayout(self).addWidget(self.tabs)

    def refresh(self) -> None:
        self.loaded = True
        with self.store.session() as session:
            open_total = followup.count_open_actions(session)
            actions = followup.open_actions(session, limit=SHOWN)
            findings = [
                (f.text, f.engagement.title, f.engagement.starts_at)
                for f in followup.findings_without_outcome(session)
            ]
            lines = followup.you_said_we_did(session, newest_first=True, limit=SHOWN)
        self.action_list.clear()
        for a in actions:
            due = f"{a.due_on:%d %b %Y}" if a.due_on else ""
            self.action_list.addTopLevelItem(
                QTreeWidgetItem(
                    [a.description, a.owner, due, a.status.label, a.engagement_title or ""]
                )
            )
        self.findings.clear()
        for text, title, when in findings:
            self.findings.addTopLevelItem(QTreeWidgetItem([text, title, f"{when:%d %b %Y}"]))
        self.you_said.clear()
        for line in lines:
            self.you_said.addTopLevelItem(
                QTreeWidgetItem([line.you_said, line.we_did, line.engagement_title])
            )
        shown = f"; soonest {SHOWN:,} shown" if open_total > len(actions) else ""
        self.tabs.setTabText(0, f"Open actions ({open_total:,}{shown})")
        self.tabs.setTabText(
            2, "You said, we did" + (" (latest 500)" if len(lines) == SHOWN else "")
        )
        self.tabs.setTabText(1, f"Findings with no outcome ({len(findings)})")

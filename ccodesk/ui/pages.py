"""The main window's pages, in one import (done off the UI thread while the store opens)."""

from __future__ import annotations

from ccodesk.ui.dashboard_page import DashboardPage
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.engagements_page import EngagementsPage
from ccodesk.ui.followup_page import FollowUpPage
from ccodesk.ui.organisations_page import OrganisationsPage
from ccodesk.ui.privacy_page import DataProtectionPage
from ccodesk.ui.reports_page import ReportsPage
from ccodesk.ui.settings_dialog import SettingsDialog
from ccodesk.ui.sync_page import SyncPage
from ccodesk.ui.timetable_page import TimetablePage

__all__ = [
    "DashboardPage",
    "DataProtectionPage",
    "EngagementEditor",
    "EngagementsPage",
    "FollowUpPage",
    "OrganisationsPage",
    "ReportsPage",
    "SettingsDialog",
    "SyncPage",
    "TimetablePage",
]

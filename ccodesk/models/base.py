"""Declarative base, the sync metadata every synced row carries, and the shared enums."""

from __future__ import annotations

import enum
import re
import uuid
from typing import Any, ClassVar, Self

from sqlalchemy import JSON, Boolean, Enum, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic revisions are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A new random UUID as the 36-character string used for every synced primary key."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, int]: JSON}


class Synced:
    """Sync metadata (ARCHITECTURE.md, Data): maintained by the store layer, never by callers.

    `origin_device`, `version_vector`, `hlc` and `change_seq` are filled in by the store's
    flush hook (or `ccodesk.store.stamp_rows` for bulk inserts); a row is never hard-deleted,
    it becomes a tombstone (`deleted`).
    """

    # Name of a relationship whose row must be re-stamped when a child row changes.
    __sync_parent__: ClassVar[str | None] = None

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    origin_device: Mapped[str] = mapped_column(String(36))
    version_vector: Mapped[dict[str, int]] = mapped_column(JSON)
    hlc: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(Integer, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class SyncedChild:
    """A plain child row (link or count) whose changes count as a change of its parent."""

    __sync_parent__: ClassVar[str]


def str_enum(enum_cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value as a plain string column (portable, migration-friendly)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Labelled(enum.StrEnum):
    """A string enum whose members carry a human label (the users' words)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value.replace("_", " ").capitalize()
        return obj

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept a value, a name or a label, case-insensitively; raise ValueError otherwise."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if key in (member.value, member.name.lower(), member.label.lower().replace(" ", "_")):
                return member
        choices = ", ".join(m.value for m in cls)
        noun = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()
        raise ValueError(f"unknown {noun} {text!r}; choose one of: {choices}")


class EngagementKind(Labelled):
    PCCG_MEETING = "pccg_meeting", "PCCG meeting"
    THEMED_SESSION = "themed_session", "Themed session"
    FOCUS_GROUP = "focus_group", "Focus group"
    OUTREACH = "outreach", "Outreach meeting with a hard-to-reach group"
    YOUTH_FORUM = "youth_forum", "Youth forum"
    SURVEY = "survey", "Survey or questionnaire"
    CITIZENS_PANEL = "citizens_panel", "Citizens' panel or jury"
    WEB_CONSULTATION = "web_consultation", "Web consultation"
    ACTION_PLANNING = "action_planning", "Action planning event"
    STRATEGIC = "strategic", "Strategic consultation"
    QUICK_TIME = "quick_time", "Quick-time consultation"


# The toolkit method (resources/reference/consultation_methods.json) each kind belongs to.
KIND_METHOD: dict[EngagementKind, str] = {
    EngagementKind.PCCG_MEETING: "public-meeting",
    EngagementKind.THEMED_SESSION: "public-meeting",
    EngagementKind.FOCUS_GROUP: "focus-group",
    EngagementKind.OUTREACH: "group-meeting",
    EngagementKind.YOUTH_FORUM: "youth",
    EngagementKind.SURVEY: "survey",
    EngagementKind.CITIZENS_PANEL: "citizens-panel",
    EngagementKind.WEB_CONSULTATION: "web",
    EngagementKind.ACTION_PLANNING: "action-planning",
    EngagementKind.STRATEGIC: "strategic",
    EngagementKind.QUICK_TIME: "quick-time",
}


class EngagementStatus(Labelled):
    PLANNED = "planned", "Planned"
    CONFIRMED = "confirmed", "Confirmed"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Level(Labelled):
    LOCAL = "local", "Local"
    PAN_LONDON = "pan_london", "Pan-London"


class DecisionKind(Labelled):
    POLICING_PLAN = "policing_plan", "Policing plan"
    CRIME_DISORDER_STRATEGY = "crime_disorder_strategy", "Crime and disorder strategy"
    LOCAL_OPERATION = "local_operation", "Local operation"
    POLICY = "policy", "Policy or initiative"
    BEST_VALUE_REVIEW = "best_value_review", "Best Value review"
    OTHER = "other", "Other"


class OfficerRole(Labelled):
    CCO = "cco", "Community Consultation Officer"
    BLO = "blo", "Borough Liaison Officer"
    CSO = "cso", "Community Safety Officer"
    POLICE_OFFICER = "police_officer", "Police officer"
    ADVISOR = "advisor", "Independent advisor"
    OTHER = "other", "Other"


class OrganisationType(Labelled):
    FAITH_GROUP = "faith-group", "Faith group"
    RESIDENTS_ASSOCIATION = "residents-association", "Residents' association"
    TENANTS_ASSOCIATION = "tenants-association", "Tenants' association"
    VOLUNTARY_SECTOR = "voluntary-sector", "Voluntary sector"
    COMMUNITY_GROUP = "community-group", "Community group"
    BUSINESS = "business", "Business"
    STATUTORY_PARTNER = "statutory-partner", "Statutory partner"
    ADVISORY_GROUP = "advisory-group", "Advisory group"
    YOUTH_GROUP = "youth-group", "Youth group"
    SCHOOL_COLLEGE = "school-college", "School or college"
    HOUSING_PROVIDER = "housing-provider", "Housing provider"
    HEALTH_SERVICE = "health-service", "Health service"
    NEIGHBOURHOOD_WATCH = "neighbourhood-watch", "Neighbourhood Watch"
    OTHER = "other", "Other"


class SensitivityLevel(Labelled):
    AVOID = "avoid", "Do not consult"
    CAUTION = "caution", "Consult with care"


class OutcomeResult(Labelled):
    CHANGED_DECISION = "changed_decision", "Changed the decision"
    INFORMED_DECISION = "informed_decision", "Informed the decision"
    NOT_USED = "not_used", "Not used"


class ActionStatus(Labelled):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class FeedbackChannel(Labelled):
    MEETING = "meeting", "At a meeting"
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"
    NEWSLETTER = "newsletter", "Newsletter"
    WEBSITE = "website", "Website"
    PHONE = "phone", "Telephone"
    FEEDBACK_FORM = "feedback_form", "Feedback form"


class CostCategory(Labelled):
    VENUE = "venue", "Venue"
    INTERPRETER = "interpreter", "Interpreter"
    REFRESHMENTS = "refreshments", "Refreshments"
    ADVISOR_COMPENSATION = "advisor_compensation", "Advisor compensation"
    OVERTIME = "overtime", "Overtime"
    MATERIALS = "materials", "Materials"
    OTHER = "other", "Other"


class TimetableKind(Labelled):
    CONSULTATION_WINDOW = "consultation_window", "Consultation window"
    MILESTONE = "milestone", "Planning-cycle milestone"
    DEADLINE = "deadline", "Deadline"
    PCCG_MEETING = "pccg_meeting", "PCCG meeting"
    JOINT_MEETING = "joint_meeting", "Joint meeting (CCO, BLO, CSO)"


__all__ = [
    "KIND_METHOD",
    "ActionStatus",
    "Base",
    "CostCategory",
    "DecisionKind",
    "EngagementKind",
    "EngagementStatus",
    "FeedbackChannel",
    "Labelled",
    "Level",
    "OfficerRole",
    "OrganisationType",
    "OutcomeResult",
    "SensitivityLevel",
    "Synced",
    "SyncedChild",
    "TimetableKind",
    "new_id",
    "str_enum",
]

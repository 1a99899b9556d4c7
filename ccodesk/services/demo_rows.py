"""The demo data's rows: one seeded generator draws a borough-year of realistic records.

Rows are plain dictionaries, ready for bulk inserts (`ccodesk.services.demo`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import defaultdict
from typing import Any

from ccodesk.models import (
    KIND_METHOD,
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceCount,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Contact,
    CostCategory,
    CostItem,
    DecisionKind,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackChannel,
    FeedbackGiven,
    Finding,
    Level,
    OfficerRole,
    OfficerTime,
    Organisation,
    Outcome,
    OutcomeResult,
    Sensitivity,
    TimetableEntry,
    TimetableKind,
    engagement_partner,
    engagement_target_group,
    engagement_topic,
    feedback_finding,
    finding_group,
    organisation_group,
)
from ccodesk.resource_files import load_json

Rows = dict[Any, list[dict[str, Any]]]

# Share of a year's engagements by kind (PCCG meetings are monthly; outreach is the bulk).
KIND_WEIGHTS: dict[EngagementKind, int] = {
    EngagementKind.PCCG_MEETING: 12,
    EngagementKind.THEMED_SESSION: 40,
    EngagementKind.FOCUS_GROUP: 45,
    EngagementKind.OUTREACH: 90,
    EngagementKind.YOUTH_FORUM: 30,
    EngagementKind.SURVEY: 12,
    EngagementKind.CITIZENS_PANEL: 6,
    EngagementKind.WEB_CONSULTATION: 10,
    EngagementKind.ACTION_PLANNING: 20,
    EngagementKind.STRATEGIC: 20,
    EngagementKind.QUICK_TIME: 15,
}
ATTENDANCE_RANGE: dict[EngagementKind, tuple[int, int]] = {
    EngagementKind.PCCG_MEETING: (18, 85),
    EngagementKind.THEMED_SESSION: (12, 60),
    EngagementKind.FOCUS_GROUP: (7, 14),
    EngagementKind.OUTREACH: (6, 40),
    EngagementKind.YOUTH_FORUM: (8, 45),
    EngagementKind.SURVEY: (120, 900),
    EngagementKind.CITIZENS_PANEL: (12, 24),
    EngagementKind.WEB_CONSULTATION: (40, 400),
    EngagementKind.ACTION_PLANNING: (25, 150),
    EngagementKind.STRATEGIC: (8, 25),
    EngagementKind.QUICK_TIME: (4, 15),
}
HOURLY_RATE_PENCE = {
    OfficerRole.CCO: 2400,
    OfficerRole.BLO: 2900,
    OfficerRole.CSO: 2600,
    OfficerRole.POLICE_OFFICER: 3100,
    OfficerRole.ADVISOR: 0,
}


class DemoMaker:
    """Draws one borough-year of rows at a time from a single seeded generator."""

    def __init__(self, seed: int, borough: str, anchor: dt.date, officer: str) -> None:
        self.rng = random.Random(seed)
        self.spare = random.Random(f"{seed}:{borough}:names")
        self.names_used: set[str] = set()
        self.full_types: set[str] = set()
        self.borough = borough
        self.anchor = anchor
        self.officer = officer
        self.areas: list[str] = load_json("demo", "areas.json").get(borough) or ["Central"]
        self.borough_name = next(
            b["name"] for b in load_json("reference", "boroughs.json") if b["code"] == borough
        )
        self.people = load_json("demo", "people.json")
        self.org_types = load_json("demo", "organisations.json")
        self.venues = load_json("demo", "venues.json")
        self.findings = load_json("demo", "findings.json")
        self.themes = load_json("reference", "engagement_themes.json")
        self.groups = [g["code"] for g in load_json("reference", "priority_groups.json")]
        self.blos = [self.person() for _ in range(3)]
        self.csos = [self.person() for _ in range(2)]
        self.orgs_by_group: dict[str, list[str]] = defaultdict(list)
        self.all_orgs: list[str] = []

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def person(self) -> str:
        p = self.people
        return f"{self.rng.choice(p['given_names'])} {self.rng.choice(p['family_names'])}"

    def fill(self, template: str) -> str:
        return self.fill_in(self.rng, template)[0]

    def fill_in(self, r: random.Random, template: str) -> tuple[str, str]:
        """The template filled in, and the area drawn for it (named in it or not)."""
        area = r.choice(self.areas)
        text = template.format(
            area=area,
            borough=self.borough_name,
            saint=r.choice(self.org_types.get("saints", ["Mary"])),
            community=r.choice(self.org_types.get("communities", ["Somali"])),
        )
        return text, area

    def organisation_name(self, spec: dict[str, Any]) -> tuple[str, str]:
        """A name no organisation of this borough has yet, of the type `spec`, and its area.

        The first draw is the one the rest of the data has always followed; only when that
        name is taken are others drawn, from a generator of their own (so the rest of the
        data stays as it was). When the type has no free name left, the name is told apart
        by its area or street, as a branch would be.
        """
        name, area = self.fill_in(self.rng, self.rng.choice(spec["templates"]))
        used, spare = self.names_used, self.spare
        tries = 0 if spec["type"] in self.full_types else 40
        while name in used and tries:
            name, area = self.fill_in(spare, spare.choice(spec["templates"]))
            tries -= 1
        if name in used:
            self.full_types.add(spec["type"])  # its free names are too few to keep drawing
            streets: list[str] = self.venues["streets"]
            start = spare.randrange(len(streets))
            options = itertools.chain(
                [f"{name} ({area})"] if area not in name else [],
                (f"{name} ({street})" for street in streets[start:] + streets[:start]),
                (f"{name} {n}" for n in itertools.count(2)),
            )
            name = next(option for option in options if option not in used)
        self.names_used.add(name)
        return name, area

    def street_address(self) -> tuple[str, str]:
        r = self.rng
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (
            f"{r.choice('ENSW')}{r.randint(1, 20)} {r.randint(1, 9)}"
            f"{r.choice(letters)}{r.choice(letters)}"
        )
        return (
            f"{r.randint(1, 240)} {r.choice(self.venues['streets'])}, {self.borough_name}",
            postcode,
        )

    def organisations(self, rows: Rows, count: int) -> None:
        r = self.rng
        for _ in range(count):
            spec = r.choice(self.org_types["types"])
            oid = self.uid()
            street, postcode = self.street_address()
            name, area = self.organisation_name(spec)
            # "12 Leighton Road, Kentish Town": the area tells two of the same name apart.
            address = f"{street.rsplit(', ', 1)[0]}, {area}"
            rows[Organisation].append(
                {
                    "id": oid,
                    "name": name,
                    "org_type": spec["type"],
                    "borough_code": self.borough,
                    "address": address,
                    "postcode": postcode,
                    "phone": f"020 {r.randint(7000, 8999)} {r.randint(1000, 9999)}",
                    "email": ""
                    if r.random() < 0.3
                    else f"info@{''.join(ch for ch in name.lower() if ch.isalnum())[:18]}.org.uk",
                    "website": "",
                    "notes": "",
                }
            )
            served = set(spec.get("groups_served", []))
            if r.random() < 0.4:
                served.add(r.choice(self.groups))
            for code in sorted(served):
                rows[organisation_group].append({"organisation_id": oid, "group_code": code})
                self.orgs_by_group[code].append(oid)
            self.all_orgs.append(oid)
            for sens in spec.get("sensitivities", []):
                if r.random() < sens.get("probability", 0.5):
                    rows[Sensitivity].append(
                        {
                            "id": self.uid(),
                            "organisation_id": oid,
                            "topic_code": sens["topic"],
                            "level": sens["level"],
                            "note": sens.get("note", ""),
                        }
                    )
            for _ in range(r.choice((0, 1, 1, 1, 2))):
                consent = r.random() < 0.75
                given = self.anchor - dt.timedelta(days=r.randint(10, 900))
                cid = self.uid()
                if consent:  # the history the contact's consent columns sum up
                    rows[ConsentEvent].append(
                        {
                            "contact_id": cid,
                            "kind": ConsentEventKind.GIVEN.value,
                            "on": given,
                            "scope": "Contact about consultation",
                            "expires_on": given + dt.timedelta(days=730),
                            "method": ConsentMethod.WRITTEN.value,
                            "recorded_at": dt.datetime.combine(given, dt.time(12)),
                            "officer": self.officer,
                            "note": "",
                        }
                    )
                rows[Contact].append(
                    {
                        "id": cid,
                        "organisation_id": oid,
                        "name": self.person(),
                        "role": r.choice(
                            (
                                "Chair",
                                "Secretary",
                                "Coordinator",
                                "Youth worker",
                                "Imam",
                                "Vicar",
                                "Manager",
                                "Outreach worker",
                                "Trustee",
                            )
                        ),
                        "email": "",
                        "phone": f"07{r.randint(100, 999)} {r.randint(100000, 999999)}",
                        "address": "",
                        "preferred_channel": r.choice(("email", "phone", "letter")),
                        "accessibility_needs": r.choice(
                            (
                                "",
                                "",
                                "",
                                "Large print",
                                "BSL interpreter",
                                "Step-free access",
                                "Hearing loop",
                            )
                        ),
                        "consent_given": consent,
                        "consent_date": given if consent else None,
                        "consent_scope": "Contact about consultation" if consent else "",
                        "consent_expires": given + dt.timedelta(days=730) if consent else None,
                        "shareable": consent and r.random() < 0.2,
                        "notes": "",
                    }
                )

    def engagements(self, rows: Rows, year_start: dt.date, count: int) -> None:
        r = self.rng
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        for _ in range(count):
            kind = r.choices(kinds, weights)[0]
            day = year_start + dt.timedelta(days=r.randint(0, 364))
            if day.weekday() == 6:
                day -= dt.timedelta(days=1)
            daytime = kind == EngagementKind.OUTREACH and r.random() < 0.5
            hour = r.choice((10, 11, 14)) if daytime else r.choice((10, 13, 18, 18, 19))
            starts = dt.datetime.combine(day, dt.time(hour, r.choice((0, 0, 30))))
            ends = starts + dt.timedelta(minutes=r.choice((60, 90, 120, 120, 150)))
            past = day < self.anchor
            status = (
                (EngagementStatus.CANCELLED if r.random() < 0.06 else EngagementStatus.HELD)
                if past
                else r.choice((EngagementStatus.PLANNED, EngagementStatus.CONFIRMED))
            )
            theme = r.choice(self.themes)
            targets = r.sample(self.groups, r.choice((1, 1, 2, 2, 3)))
            eid = self.uid()
            joint = r.random() < 0.35
            venue = self.fill(r.choice(self.venues["templates"]))
            address, postcode = self.street_address()
            title = {
                EngagementKind.PCCG_MEETING: f"{self.borough_name} PCCG meeting: {theme['theme']}",
                EngagementKind.FOCUS_GROUP: f"Focus group: {theme['theme']}",
                EngagementKind.OUTREACH: f"Outreach at {venue}: {theme['theme']}",
                EngagementKind.YOUTH_FORUM: f"Youth forum: {theme['theme']}",
            }.get(kind, f"{kind.label}: {theme['theme']}")
            rows[Engagement].append(
                {
                    "id": eid,
                    "borough_code": self.borough,
                    "kind": kind,
                    "method_code": KIND_METHOD[kind],
                    "title": title[:200],
                    "theme": theme["theme"],
                    "informs": r.choice(list(DecisionKind)),
                    "informs_detail": "",
                    "level": Level.PAN_LONDON
                    if kind == EngagementKind.QUICK_TIME and r.random() < 0.3
                    else Level.LOCAL,
                    "starts_at": starts,
                    "ends_at": ends,
                    "status": status,
                    "venue_name": venue,
                    "venue_address": f"{address} {postcode}",
                    "step_free": r.random() < 0.8,
                    "hearing_loop": r.random() < 0.45,
                    "bsl": r.random() < 0.15,
                    "interpreters": r.choice(
                        (
                            "",
                            "",
                            "",
                            "",
                            "Somali",
                            "Bengali",
                            "Turkish",
                            "Polish",
                            "Tigrinya",
                            "Arabic",
                        )
                    ),
                    "childcare": r.random() < 0.15,
                    "daytime": daytime or hour < 16,
                    "cco_name": self.officer,
                    "blo_name": r.choice(self.blos) if joint else "",
                    "cso_name": r.choice(self.csos) if joint and r.random() < 0.5 else "",
                    "notes": "",
                }
            )
            for code in targets:
                rows[engagement_target_group].append({"engagement_id": eid, "group_code": code})
            for code in theme["topics"]:
                rows[engagement_topic].append({"engagement_id": eid, "topic_code": code})
            pool = self.orgs_by_group.get(targets[0]) or self.all_orgs
            for oid in sorted(set(r.sample(pool, min(len(pool), r.choice((0, 1, 1, 2, 3)))))):
                rows[engagement_partner].append({"engagement_id": eid, "organisation_id": oid})
            if status == EngagementStatus.HELD:
                self.record(rows, eid, kind, starts, targets, theme["topics"])

    def record(
        self,
        rows: Rows,
        eid: str,
        kind: EngagementKind,
        starts: dt.datetime,
        targets: list[str],
        topics: list[str],
    ) -> None:
        """What happened at a held engagement: attendance, findings with their outcomes and
        actions, feedback, costs and officer time (drawn in that order from the generator)."""
        self._attendance(rows, eid, kind, targets)
        day = starts.date()
        answered = self._findings(rows, eid, day, targets, topics)
        if answered and self.rng.random() < 0.85:
            self._feedback(rows, eid, day, topics, answered)
        self._costs(rows, eid)

    def _attendance(self, rows: Rows, eid: str, kind: EngagementKind, targets: list[str]) -> None:
        r = self.rng
        low, high = ATTENDANCE_RANGE[kind]
        if kind == EngagementKind.FOCUS_GROUP and r.random() < 0.8:
            low, high = 9, 12
        total = r.randint(low, high)
        aid = self.uid()
        rows[Attendance].append(
            {
                "id": aid,
                "engagement_id": eid,
                "total": total,
                "prefer_not_to_say": r.randint(0, total // 10),
                "not_asked": 0 if r.random() < 0.8 else r.randint(0, total // 5),
                "notes": "",
            }
        )
        for code in self.groups:
            share = 0.45 if code in targets else 0.08
            count = sum(1 for _ in range(min(total, 60)) if r.random() < share)
            count = round(count * total / min(total, 60)) if total > 60 else count
            if code in targets and r.random() < 0.1:
                count = 0  # sometimes a meeting misses the very people it was for
            if count:
                rows[AttendanceCount].append(
                    {"attendance_id": aid, "group_code": code, "count": min(count, total)}
                )

    def _findings(
        self, rows: Rows, eid: str, day: dt.date, targets: list[str], topics: list[str]
    ) -> list[str]:
        """One to four findings, each maybe with an outcome and an action; returns the ids of
        those with an outcome (the feedback answers them)."""
        r = self.rng
        answered: list[str] = []
        for _ in range(r.choice((1, 2, 2, 3, 4))):
            topic = r.choice(topics)
            view = r.choice(self.findings[topic])
            fid = self.uid()
            rows[Finding].append(
                {
                    "id": fid,
                    "engagement_id": eid,
                    "text": view["finding"],
                    "theme": topic.replace("-", " "),
                    "topic_code": topic,
                }
            )
            for code in r.sample(targets, r.randint(1, len(targets))):
                rows[finding_group].append({"finding_id": fid, "group_code": code})
            age = (self.anchor - day).days
            if age > 30 and r.random() < 0.75:
                self._outcome(rows, fid, day, view)
                answered.append(fid)
            if r.random() < 0.5:
                self._action(rows, eid, fid, day, view)
        return answered

    def _outcome(self, rows: Rows, fid: str, day: dt.date, view: dict[str, str]) -> None:
        r = self.rng
        used = r.random() < 0.7
        rows[Outcome].append(
            {
                "id": self.uid(),
                "finding_id": fid,
                "result": (
                    OutcomeResult.CHANGED_DECISION
                    if r.random() < 0.5
                    else OutcomeResult.INFORMED_DECISION
                )
                if used
                else OutcomeResult.NOT_USED,
                "decision": view["outcome_changed"] if used else "",
                "explanation": "" if used else view["outcome_not_used"],
                "decided_on": day + dt.timedelta(days=r.randint(14, 60)),
            }
        )

    def _action(self, rows: Rows, eid: str, fid: str, day: dt.date, view: dict[str, str]) -> None:
        r = self.rng
        due = day + dt.timedelta(days=r.randint(14, 90))
        done = due < self.anchor and r.random() < 0.8
        rows[ActionItem].append(
            {
                "id": self.uid(),
                "engagement_id": eid,
                "finding_id": fid,
                "description": view["action"],
                "owner": r.choice((self.officer, *self.blos, *self.csos)),
                "due_on": due,
                "status": ActionStatus.DONE
                if done
                else r.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS)),
                "completed_on": due - dt.timedelta(days=r.randint(0, 10)) if done else None,
            }
        )

    def _feedback(
        self, rows: Rows, eid: str, day: dt.date, topics: list[str], answered: list[str]
    ) -> None:
        r = self.rng
        fbid = self.uid()
        given = day + dt.timedelta(days=r.randint(21, 75))
        if given < self.anchor:
            rows[FeedbackGiven].append(
                {
                    "id": fbid,
                    "engagement_id": eid,
                    "given_on": given,
                    "channel": r.choice(list(FeedbackChannel)),
                    "text": " ".join(self.findings[t][0]["you_said_we_did"] for t in topics[:2]),
                }
            )
            for fid in answered:
                rows[feedback_finding].append({"feedback_id": fbid, "finding_id": fid})

    def _costs(self, rows: Rows, eid: str) -> None:
        """Direct costs, and the officers' time."""
        r = self.rng
        for _ in range(r.choice((1, 1, 2, 3))):
            category = r.choice(list(CostCategory))
            rows[CostItem].append(
                {
                    "id": self.uid(),
                    "engagement_id": eid,
                    "category": category,
                    "description": category.label,
                    "amount_pence": r.choice((2500, 4000, 6500, 12000, 18000, 25000, 40000)),
                }
            )
        for role in r.sample(
            [OfficerRole.CCO, OfficerRole.BLO, OfficerRole.POLICE_OFFICER, OfficerRole.ADVISOR],
            r.randint(1, 3),
        ):
            rows[OfficerTime].append(
                {
                    "id": self.uid(),
                    "engagement_id": eid,
                    "role": role,
                    "officer_name": self.officer if role == OfficerRole.CCO else "",
                    "minutes": r.choice((60, 90, 120, 180, 240, 360)),
                    "hourly_rate_pence": HOURLY_RATE_PENCE.get(role, 2500),
                }
            )

    def timetable(self, rows: Rows, year_start: dt.date) -> None:
        y = year_start.year
        cycle = f"{y + 1}/{str(y + 2)[-2:]} policing plan"
        for title, kind, month, day, informs in (
            (
                "Corporate consultation window opens",
                TimetableKind.CONSULTATION_WINDOW,
                4,
                1,
                DecisionKind.POLICING_PLAN,
            ),
            (
                "Local consultation on borough priorities",
                TimetableKind.CONSULTATION_WINDOW,
                6,
                1,
                DecisionKind.POLICING_PLAN,
            ),
            (
                "Crime and disorder strategy: partnership consultation",
                TimetableKind.CONSULTATION_WINDOW,
                7,
                1,
                DecisionKind.CRIME_DISORDER_STRATEGY,
            ),
            (
                "Borough findings due to the MPA consultation unit",
                TimetableKind.DEADLINE,
                9,
                30,
                DecisionKind.POLICING_PLAN,
            ),
            (
                "Draft policing plan published for comment",
                TimetableKind.MILESTONE,
                12,
                1,
                DecisionKind.POLICING_PLAN,
            ),
            (
                "Policing plan agreed by the Authority",
                TimetableKind.MILESTONE,
                3,
                31,
                DecisionKind.POLICING_PLAN,
            ),
            (
                "Tripartite planning meeting (CCO, BLO, CSO)",
                TimetableKind.JOINT_MEETING,
                5,
                15,
                None,
            ),
            (
                "Tripartite review meeting (CCO, BLO, CSO)",
                TimetableKind.JOINT_MEETING,
                11,
                15,
                None,
            ),
        ):
            year = y + 1 if month <= 3 else y
            start = dt.date(year, month, day)
            window = kind == TimetableKind.CONSULTATION_WINDOW
            rows[TimetableEntry].append(
                {
                    "id": self.uid(),
                    "title": title,
                    "kind": kind,
                    "starts_on": start,
                    "ends_on": start + dt.timedelta(days=60) if window else None,
                    "planning_cycle": cycle,
                    "informs": informs,
                    "level": Level.PAN_LONDON if "Corporate" in title else Level.LOCAL,
                    "engagement_id": None,
                    "notes": "",
                }
            )

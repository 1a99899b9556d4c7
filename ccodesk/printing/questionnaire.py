"""What the paper forms ask, as plain data: printed by `documents`, keyed back by
`services.returned_forms`.

The equality monitoring form covers the eight GLA priority groups (resources/reference/
priority_groups.json); every question has "Prefer not to say". Age covers two groups
(children and young people; older people), so eight groups take seven questions.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group_code: str | None = None  # the priority group this answer counts towards


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[Option, ...]

    def option(self, value: str) -> Option:
        return next(o for o in self.options if o.value == value)


def _yes_no(key: str, text: str, group: str) -> Question:
    return Question(
        key,
        text,
        (
            Option("yes", "Yes", group),
            Option("no", "No"),
            Option(PREFER_NOT_TO_SAY, "Prefer not to say"),
        ),
    )


EQUALITY_QUESTIONS: tuple[Question, ...] = (
    Question(
        "age",
        "How old are you?",
        (
            Option("under_25", "Under 25", "children-young-people"),
            Option("25_59", "25 to 59"),
            Option("60_over", "60 or over", "older"),
            Option(PREFER_NOT_TO_SAY, "Prefer not to say"),
        ),
    ),
    _yes_no(
        "ethnicity",
        "Do you belong to a minority ethnic community (for example Black, Asian, Irish, "
        "Turkish, Kurdish, Chinese, Gypsy or Traveller)?",
        "minority-ethnic",
    ),
    _yes_no(
        "disability",
        "Do you consider yourself disabled (a physical, sensory or learning disability, or a "
        "mental health condition)?",
        "disabled",
    ),
    _yes_no(
        "home",
        "Are you without a permanent home just now (sleeping rough, in a hostel, night shelter "
        "or temporary accommodation, or a Traveller without a settled site)?",
        "no-permanent-home",
    ),
    _yes_no("lgbt", "Are you lesbian, gay, bisexual or transgender?", "lgbt"),
    _yes_no("refugee", "Are you a refugee or an asylum seeker?", "refugees-asylum"),
    _yes_no("faith", "Do you belong to a faith community?", "faith"),
)

EQUALITY_NOTE = (
    "Why we ask, and what happens to your answers. The police, the Police Authority and the "
    "council want to hear from everyone, and especially from eight groups whose views are "
    "often missed. Your answers tell us whether our meetings reach them. This form is "
    "anonymous: please do not write your name on it. Answer only what you want to; you can "
    "tick \u201cPrefer not to say\u201d for any question. We add up the forms from this "
    "meeting and keep only the totals (for example, how many older people came); nobody's "
    "own answers are kept. The totals are stored encrypted on the Community Consultation "
    "Officer's computer and sent to the consultation unit as numbers only. The paper form is "
    "shredded once it has been counted."
)

# The feedback form: the free-text answers become findings of the engagement.
FEEDBACK_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("concern", "What is the biggest crime or community safety worry where you live or work?"),
    ("suggestion", "What should the police and the council do about it?"),
    ("other", "Is there anything else you want us to know about today's subject?"),
)

FEEDBACK_NOTE = (
    "Your views will be recorded as findings of this meeting and used in planning local "
    "policing. We will tell you what was done with them (\u201cyou said, we did\u201d) at "
    "the next meeting and in the newsletter. This form is anonymous: to hear from us "
    "directly, leave your details on the sign-in sheet and tick the box."
)

SIGN_IN_CONSENT = (
    "Tick the last box if you agree that the Community Consultation Officer keeps your name "
    "and contact details to tell you about future consultation and what was done with your "
    "views. They are kept on this borough's encrypted records only, never shared without "
    "your agreement, and deleted when you ask or after two years. Leave it blank and your "
    "details are used only to count who came."
)

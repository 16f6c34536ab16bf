"""Write-side verbs of tasks. They flush and audit; the caller commits once."""

from __future__ import annotations

import re
from datetime import date

from portal.auth.models import User
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.core.time import now_utc
from portal.extensions import db
from portal.tasks import queries
from portal.tasks.models import TASK_OWNERS, Task
from portal.tasks.permissions import may_complete

TITLE_MAX = 300
NOT_OPEN = "Deze taak is al afgerond of vervallen."
NOT_YOURS = "Deze taak kunt u niet afronden."
CARE_FOR_EMPLOYER = (
    "De werkgever leest deze afspraak, maar de tekst lijkt over gezondheid of zorg te gaan. Dat mag de"
    " werkgever niet lezen. Schrijf het anders, of laat een afspraak van de kandidaat of de jobcoach alleen"
    " zichtbaar voor de jobcoach en de gemeente."
)

#: Words that point to health or care information, which employers may never read (architecture §2).
#: Whole words; a ``*`` also matches longer words (``huisarts*``: huisartsen, huisartspraktijk). "Ziek"
#: itself is not here: an employer may know that someone reported sick, not why.
CARE_WORDS = (
    "arts",
    "artsen",
    "huisarts*",
    "bedrijfsarts*",
    "dokter*",
    "ziekenhuis*",
    "ziekte",
    "ziektes",
    "gezondheid*",
    "medisch*",
    "medicijn*",
    "medicatie",
    "pijn*",
    "rugpijn",
    "rugklacht*",
    "therapie*",
    "therapeut*",
    "fysiotherap*",
    "psycholo*",
    "psychiat*",
    "psychisch*",
    "ggz",
    "depressi*",
    "trauma*",
    "diagnose*",
    "zwanger*",
    "verslav*",
    "zorgverlener*",
    "zorgtraject*",
    "wijkteam*",
    "maatschappelijk werk*",
    "schuldhulp*",
)
_CARE_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "") for word in CARE_WORDS)
    + r")\b",
    re.IGNORECASE,
)


def care_words_in(text: str | None) -> list[str]:
    """The health or care words (``CARE_WORDS``) in ``text``, as written there."""
    return _CARE_PATTERN.findall(text) if text else []


def mentions_care(text: str | None) -> bool:
    """Whether ``text`` contains a health or care word (``CARE_WORDS``): never for an employer's eyes."""
    return bool(care_words_in(text))


def create_task(
    actor: User | None,
    placement,
    *,
    title: str,
    owner: str,
    kind: str = "action",
    due_date: date | None = None,
    assignee_id: int | None = None,
    visit_id: int | None = None,
    visible_to_employer: bool = False,
) -> Task:
    """An open task on ``placement`` (an action agreed at a visit, or staff follow-up work).

    Staff only, unless ``visible_to_employer``; a task the employer carries out is always visible to it.
    """
    if owner not in TASK_OWNERS:
        raise DomainError("Kies wie dit gaat doen.", "owner")
    task = Task(
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        candidate_id=placement.candidate_id,
        visit_id=visit_id,
        kind=kind,
        title=title[:TITLE_MAX],
        owner=owner,
        visible_to_employer=bool(visible_to_employer) or owner == "employer",
        assignee_id=assignee_id,
        due_date=due_date,
        status="open",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(task)
    db.session.flush()
    record(
        actor,
        "task.created",
        task,
        placement_id=placement.id,
        kind=kind,
        owner=owner,
        visible_to_employer=task.visible_to_employer,
    )
    return task


def create_candidate_task(
    actor: User | None,
    candidate,
    *,
    title: str,
    kind: str,
    due_date: date | None = None,
    assignee_id: int | None = None,
    placement_id: int | None = None,
) -> Task:
    """Open staff work about a candidate, with or without a placement (e.g. a retention follow-up after an
    exit to work found outside Werkbrug). Never visible to an employer."""
    task = Task(
        municipality_id=candidate.municipality_id,
        placement_id=placement_id,
        candidate_id=candidate.id,
        kind=kind,
        title=title[:TITLE_MAX],
        owner="municipal",
        visible_to_employer=False,
        assignee_id=assignee_id,
        due_date=due_date,
        status="open",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(task)
    db.session.flush()
    record(actor, "task.created", task, placement_id=placement_id, kind=kind, owner="municipal")
    return task


def finish_task(actor: User | None, task: Task, reason: str) -> bool:
    """Mark one open task done because its purpose was fulfilled; ``reason`` (a code) goes to the audit
    trail. Whether it was open."""
    if task.status != "open":
        return False
    task.status = "done"
    task.done_at = now_utc()
    task.done_by_id = getattr(actor, "id", None)
    record(actor, "task.done", task, placement_id=task.placement_id, reason=reason)
    db.session.flush()
    return True


def complete_task(actor: User, task: Task, placement) -> Task:
    """Mark an open task done."""
    if not may_complete(actor, task, placement):
        raise DomainError(NOT_YOURS)
    if task.status != "open":
        raise DomainError(NOT_OPEN)
    task.status = "done"
    task.done_at = now_utc()
    task.done_by_id = actor.id
    db.session.flush()
    record(actor, "task.done", task, placement_id=task.placement_id)
    return task


def cancel_open_tasks(actor: User | None, placement, reason: str, kinds=None) -> int:
    """Let every open task of ``placement`` (of these ``kinds`` when given) lapse, e.g. at uitval, with
    ``reason`` shown to staff on the timeline; returns how many."""
    tasks = db.session.scalars(queries.open_tasks_of_placement(placement.id, kinds)).all()
    now = now_utc()
    for task in tasks:
        task.status = "cancelled"
        task.cancelled_reason = reason[:200]
        task.cancelled_at = now
        record(actor, "task.cancelled", task, placement_id=placement.id)
    db.session.flush()
    return len(tasks)


def finish_open_tasks(actor: User | None, placement, kinds) -> int:
    """Mark the open tasks of these ``kinds`` done because their purpose was fulfilled (e.g. the
    preference request once the employer gave it); ``actor`` did it (None: the system)."""
    tasks = db.session.scalars(queries.open_tasks_of_placement(placement.id, kinds)).all()
    now = now_utc()
    for task in tasks:
        task.status = "done"
        task.done_at = now
        task.done_by_id = getattr(actor, "id", None)
        record(actor, "task.done", task, placement_id=placement.id)
    db.session.flush()
    return len(tasks)

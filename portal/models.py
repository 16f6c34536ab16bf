"""Imports every domain's models, so Base.metadata is complete (for Alembic and the tests)."""

from portal.aftercare.models import AftercareSettings, CheckIn  # noqa: F401
from portal.alerts.models import Alert  # noqa: F401
from portal.auth.models import LoginFailure, PasswordToken, User  # noqa: F401
from portal.candidates.models import Candidate, CandidateVersion, Consent  # noqa: F401
from portal.core.db import Base  # noqa: F401
from portal.core.models import AuditEvent, Municipality, OutboxEmail, SchedulerHeartbeat  # noqa: F401
from portal.employers.models import Employer, Invitation, Workplace  # noqa: F401
from portal.journey.models import (  # noqa: F401
    Exit,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    TeamSettings,
)
from portal.placements.models import (  # noqa: F401
    EndDecision,
    LogReminder,
    Placement,
    PlacementStatusChange,
    WeeklyLog,
    WeeklyLogVersion,
)
from portal.privacy.models import PrivacyRequest  # noqa: F401
from portal.requests.models import PlacementRequest, PlacementType, Proposal  # noqa: F401
from portal.tasks.models import Task  # noqa: F401
from portal.visits.models import Visit  # noqa: F401

"""Consent per employer (sharing the profile) and per source (receiving data), with when it was recorded

Revision ID: b2d4f6a8c0e2
Revises: a1c3e5f7b9d1
Create Date: 2026-12-03 13:30:00

Until now one ``share_profile`` consent (no employer) let every employer the candidate was proposed to
see the pseudonymised profile. From now on that consent is given per employer, like ``reveal_identity``.

What happens to an existing general consent (employer empty) - the choice a privacy officer can sign,
because a general consent never silently widens:

- while it is live, it becomes a per-employer consent for each employer the candidate was already
  proposed to (any proposal status): exactly the employers that could see the profile under it, so
  nothing changes for them. These copies keep the moment, channel, text version and recorder of the
  original and point to it (``converted_from_id``); withdrawing the original withdraws them too;
- the general consent itself stays, as the record of what the candidate said, but lets no employer see
  anything any more: for every other employer the candidate is asked first ("to be asked per employer").
- a withdrawn general consent is not converted (it showed nothing to anyone any more).

A consent can also be for receiving data from a source (``receive_data``: COA/TVS, the banenbalie), the
channel can be "digitaal", and each consent records when it was written down (``recorded_at``; existing
ones get the moment they were given).

Downgrade: the old schema knows only the general consent, and turning a per-employer consent into a general
one would widen it. So the downgrade removes the per-employer ``share_profile`` consents (the converted
copies return to their general original, which is kept) and the ``receive_data`` consents, and stores the
channel "digitaal" as "schriftelijk" (both are written). Employers that got a profile through a consent
recorded after this revision lose sight of it until a general consent is recorded again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "b2d4f6a8c0e2"
down_revision: str | None = "a1c3e5f7b9d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_RULE = "(kind = 'reveal_identity' AND employer_id IS NOT NULL) OR (kind = 'share_profile' AND employer_id IS NULL)"
NEW_RULE = (
    "(kind = 'reveal_identity' AND employer_id IS NOT NULL AND source IS NULL)"
    " OR (kind = 'share_profile' AND source IS NULL)"
    " OR (kind = 'receive_data' AND employer_id IS NULL AND source IS NOT NULL)"
)

consents = sa.table(
    "consents",
    sa.column("id", sa.Integer),
    sa.column("candidate_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("employer_id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("given_at", portal.core.db.UTCDateTime(timezone=True)),
    sa.column("method", sa.String),
    sa.column("text_version", sa.String),
    sa.column("recorded_by_id", sa.Integer),
    sa.column("recorded_at", portal.core.db.UTCDateTime(timezone=True)),
    sa.column("converted_from_id", sa.Integer),
    sa.column("withdrawn_at", portal.core.db.UTCDateTime(timezone=True)),
)
proposals = sa.table("proposals", sa.column("candidate_id", sa.Integer), sa.column("request_id", sa.Integer))
requests = sa.table("placement_requests", sa.column("id", sa.Integer), sa.column("employer_id", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("converted_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consents_converted_from_id_consents"), "consents", ["converted_from_id"], ["id"]
        )
        batch_op.drop_constraint(op.f("ck_consents_employer_for_identity"), type_="check")
        batch_op.drop_constraint(op.f("ck_consents_kind_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_consents_method_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_consents_recipient_or_source"), NEW_RULE)
        batch_op.create_check_constraint(
            op.f("ck_consents_kind_valid"), "kind IN ('share_profile', 'reveal_identity', 'receive_data')"
        )
        batch_op.create_check_constraint(
            op.f("ck_consents_method_valid"), "method IN ('conversation', 'signed_form', 'digital')"
        )
        batch_op.create_check_constraint(
            op.f("ck_consents_source_valid"),
            "source IS NULL OR source IN ('coa_tvs', 'coa_banenbalie', 'vluchtelingenwerk', 'taalaanbieder')",
        )
    op.execute(consents.update().values(recorded_at=consents.c.given_at))
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column(
            "recorded_at", existing_type=portal.core.db.UTCDateTime(timezone=True), nullable=False
        )
    _convert_general_consents()


def _convert_general_consents() -> None:
    """Each live general share consent → one per employer the candidate was proposed to (see above)."""
    general = sa.alias(consents, "general")
    employers = (
        sa.select(proposals.c.candidate_id, requests.c.employer_id)
        .join(requests, requests.c.id == proposals.c.request_id)
        .distinct()
        .subquery("proposed_to")
    )
    rows = (
        sa.select(
            general.c.candidate_id,
            sa.literal("share_profile"),
            employers.c.employer_id,
            general.c.given_at,
            general.c.method,
            general.c.text_version,
            general.c.recorded_by_id,
            general.c.recorded_at,
            general.c.id,
        )
        .join(employers, employers.c.candidate_id == general.c.candidate_id)
        .where(
            general.c.kind == "share_profile",
            general.c.employer_id.is_(None),
            general.c.withdrawn_at.is_(None),
        )
    )
    op.execute(
        consents.insert().from_select(
            [
                "candidate_id",
                "kind",
                "employer_id",
                "given_at",
                "method",
                "text_version",
                "recorded_by_id",
                "recorded_at",
                "converted_from_id",
            ],
            rows,
        )
    )


def downgrade() -> None:
    op.execute(consents.delete().where(consents.c.kind == "receive_data"))
    op.execute(consents.delete().where(consents.c.converted_from_id.is_not(None)))
    op.execute(
        consents.delete().where(consents.c.kind == "share_profile", consents.c.employer_id.is_not(None))
    )
    op.execute(consents.update().where(consents.c.method == "digital").values(method="signed_form"))
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_source_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_consents_method_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_consents_kind_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_consents_recipient_or_source"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_method_valid"), "method IN ('conversation', 'signed_form')"
        )
        batch_op.create_check_constraint(
            op.f("ck_consents_kind_valid"), "kind IN ('share_profile', 'reveal_identity')"
        )
        batch_op.create_check_constraint(op.f("ck_consents_employer_for_identity"), OLD_RULE)
        batch_op.drop_constraint(batch_op.f("fk_consents_converted_from_id_consents"), type_="foreignkey")
        batch_op.drop_column("converted_from_id")
        batch_op.drop_column("recorded_at")
        batch_op.drop_column("source")

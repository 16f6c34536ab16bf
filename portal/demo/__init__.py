"""Demo data for `flask seed-demo`, one module per part of the story (never in production).

- ``accounts``: the municipalities and one or more accounts per role;
- ``organisations``: fictional MKB employers and their workplaces;
- ``candidates``: the candidate pool for matching and the candidates of the placement scenarios;
- ``open_requests``: requests of every type, proposals in every state, one planned placement;
- ``hiring``: how a scenario's placement comes about (request, accepted proposal, start);
- ``onboarding``: placements in onboarding with weekly logs and visits;
- ``endings``: contract, stop and uitval;
- ``aftercare``: nazorg with held, due and overdue check-ins, and the alerts that follow;
- ``history``: a year of the Eindhoven team's journey data (stages, exits, follow-ups, caseloads);
- ``story``: the order in which all of this is seeded (``seed_demo``).

Everything is looked up by a natural key and only created when missing; all people are invented.
"""

from portal.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.demo.story import DEMO_KINDS, seed_demo

__all__ = ["DEMO_ACCOUNTS", "DEMO_KINDS", "DEMO_PASSWORD", "DEMO_TOTP_SECRET", "seed_demo"]

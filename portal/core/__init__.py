"""Cross-cutting pieces: database base, clock, access control, audit, outbox, errors, filters."""

"""Retention follow-ups (duurzame uitstroom): months after an exit to work, does the candidate still work?

``portal.journey`` plans the follow-up rows when a work exit is confirmed. This package does what happens
with them: a scheduled sweep opens the specialist's task and asks the employer one short question by
e-mail (a single-use link, only its SHA-256 stored), the employer answers on a public page, or the
specialist records the answer. Layering: followups sits above journey, tasks, candidates and employers;
the calendar feed and the home pages read follow-ups through ``portal.followups.queries``.
"""

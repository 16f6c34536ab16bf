"""Data-subject rights: an access request (AVG art. 15) exports everything held about one candidate, and
rectification and erasure requests are recorded with their handling. Sits high in the layering: it may
read every domain's models; only the app factory imports it."""

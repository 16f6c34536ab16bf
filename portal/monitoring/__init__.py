"""The team's figures: the monitoring dashboard, the lists behind its figures and the exports.

Monitoring only reads: it may use any domain's models and queries, and nothing imports it except the app
factory and the command line.
"""

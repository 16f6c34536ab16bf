"""Hello world, served the same way as the app (``gunicorn -c gunicorn.conf.py hello:app`` from bench/):
the throughput reference of ``bench/run.py``."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hallo wereld"

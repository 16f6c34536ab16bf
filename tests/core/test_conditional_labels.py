"""Fields that are required only in some cases say so in their label ("(verplicht als ...)"), never
"(niet verplicht)", and the server still refuses them empty in exactly those cases."""

from __future__ import annotations

import re

import lxml.html

from portal.core.forms import one_of
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.placements.conftest import THIS_WEEK, log_url, started, valid_log  # noqa: F401 - a fixture
from tests.requests.conftest import frozen, kind_of, request_data  # noqa: F401 - a fixture
from tests.visits.conftest import coached, new_url, valid_visit  # noqa: F401 - a fixture


def label_of(html: str, field_id: str, *, legend: bool = False) -> str:
    """The text of the label of one control, or of the legend of the fieldset around it."""
    tree = lxml.html.document_fromstring(html)
    if legend:
        labels = tree.xpath("//fieldset[.//*[@id=$id]]/legend", id=field_id)
    else:
        labels = tree.xpath("//label[@for=$id]", id=field_id)
    return " ".join(labels[0].text_content().split())


def test_one_of_joins_words_in_dutch():
    assert one_of([]) == ""
    assert one_of(["stage"]) == "stage"
    assert one_of(["stage", "taalstage"]) == "stage of taalstage"
    assert one_of(["stage", "taalstage", "proefplaatsing"]) == "stage, taalstage of proefplaatsing"


def test_weekly_log_labels_say_when_absence_reason_and_concern_are_required(seed, started, login_as):  # noqa: F811
    client = login_as(seed.a.employer_user)
    page = client.get(log_url(started, THIS_WEEK)).get_data(as_text=True)
    assert (
        label_of(page, "absence_reason")
        == "Reden van afwezigheid (verplicht als de kandidaat uren afwezig was)"
    )
    assert (
        label_of(page, "concern_text") == "Waarover maakt u zich zorgen? (verplicht als u zich zorgen maakt)"
    )
    assert label_of(page, "needs_from_municipality").endswith("(niet verplicht)")

    response = client.post(log_url(started, THIS_WEEK), valid_log(hours_absent="4", has_concern="y"))
    errors = form_errors_in(response.get_data(as_text=True))
    assert "Vul de reden van de afwezigheid in." in errors
    assert "Schrijf kort op waarover u zich zorgen maakt." in errors
    assert client.post(log_url(started, THIS_WEEK), valid_log()).status_code == 302  # optional otherwise


def test_visit_labels_say_when_risk_reason_and_contacts_are_required(seed, coached, login_as):  # noqa: F811
    client = login_as(seed.a.jobcoach)
    page = client.get(new_url(coached)).get_data(as_text=True)
    assert label_of(page, "risk_reason") == "Waarom dit risico? (verplicht bij een middel of hoog risico)"
    assert (
        label_of(page, "spoken_with", legend=True)
        == "Met wie heeft u gesproken? (verplicht als u iemand heeft gesproken)"
    )

    response = client.post(new_url(coached), valid_visit(risk="high", risk_reason="", spoken_with=None))
    errors = form_errors_in(response.get_data(as_text=True))
    assert len(errors) == 2, errors
    assert client.post(new_url(coached), valid_visit(risk="low")).status_code == 302


def _learning_goals_label(client) -> str:
    return label_of(client.get("/aanvragen/nieuw").get_data(as_text=True), "learning_goals")


def test_learning_goals_label_names_the_types_that_require_them(seed, frozen, login_as):  # noqa: F811
    client = login_as(seed.a.employer_user)
    kinds = {
        code: kind_of(seed.a, code)
        for code in ("stage", "taalstage", "proefplaatsing", "werkervaringsplaats")
    }
    assert _learning_goals_label(client) == "Leerdoelen"  # every type requires them: simply required

    kinds["werkervaringsplaats"].is_paid = True
    kinds["werkervaringsplaats"].learning_goals_required = False
    db.session.commit()
    label = _learning_goals_label(client)
    assert label == "Leerdoelen (verplicht bij een proefplaatsing, stage of taalstage)"
    assert "niet verplicht" not in label

    # The server still refuses a proefplaatsing without learning goals, and takes the paid type without.
    response = client.post("/aanvragen/nieuw", request_data(seed.a, "proefplaatsing", learning_goals=""))
    assert any(re.search("leerdoelen verplicht", e) for e in form_errors_in(response.get_data(as_text=True)))

    for kind in kinds.values():
        kind.is_paid, kind.learning_goals_required = True, False
    db.session.commit()
    assert _learning_goals_label(client) == "Leerdoelen (niet verplicht)"


def test_decision_note_says_when_it_is_required(seed, started, login_as):  # noqa: F811
    page = login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}/besluit").get_data(as_text=True)
    assert label_of(page, "note") == "Toelichting (verplicht bij stoppen met een andere reden)"

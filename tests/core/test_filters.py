"""Template filters: Dutch dates, and the cell labels that let a table show as cards on a phone."""

from __future__ import annotations

from markupsafe import Markup

from portal.core.filters import label_cells


def test_every_cell_gets_its_column_header_and_a_role():
    rows = Markup(
        '<tr class="utrecht-table__row"><td class="utrecht-table__cell">a</td><td>b</td></tr>'
        "<tr><td>c</td><td>d</td></tr>"
    )
    html = str(label_cells(rows, ["Wat", "Wie"]))
    assert html == (
        '<tr class="utrecht-table__row" role="row">'
        '<td class="utrecht-table__cell" role="cell" data-label="Wat">a</td>'
        '<td role="cell" data-label="Wie">b</td></tr>'
        '<tr role="row"><td role="cell" data-label="Wat">c</td><td role="cell" data-label="Wie">d</td></tr>'
    )


def test_row_headers_colspan_and_own_labels_are_respected():
    rows = Markup(
        '<tr><th scope="row">week 1</th><td colspan="2">x</td><td>y</td></tr>'
        '<tr><td data-label="Eigen" role="cell">z</td><td>q</td></tr>'
    )
    html = str(label_cells(rows, ["Week", "Op tijd", "Werk", "Taal"]))
    assert '<th scope="row" role="rowheader" data-label="Week">' in html
    assert '<td colspan="2" role="cell" data-label="Op tijd">x</td>' in html
    assert '<td role="cell" data-label="Taal">y</td>' in html
    assert '<td data-label="Eigen" role="cell">z</td>' in html
    assert '<td role="cell" data-label="Op tijd">q</td>' in html


def test_labels_are_escaped_and_extra_cells_get_no_label():
    html = str(label_cells(Markup("<tr><td>1</td><td>2</td></tr>"), ['Naam "<b>"']))
    assert 'data-label="Naam &#34;&lt;b&gt;&#34;"' in html
    assert '<td role="cell">2</td>' in html
    assert str(label_cells(Markup("<thead><tbody>"), ["K"])) == "<thead><tbody>"

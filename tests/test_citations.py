import datetime

from partnerships.citations import Footnotes
from partnerships.dates import Precision
from partnerships.models import Source


def source(pk, **kwargs):
    return Source(pk=pk, title=f"Title {pk}", publisher="Publisher", **kwargs)


def test_numbered_in_order_of_first_citation_each_once():
    a, b, c = source(10), source(3), source(7)
    notes = Footnotes()
    assert [n.number for n in notes.cite([a, b])] == [1, 2]
    assert [n.number for n in notes.cite([c, a])] == [1, 3]
    assert [n.number for n in notes.cite([b, b])] == [2]
    assert [(n.number, n.source.pk) for n in notes] == [(1, 10), (2, 3), (3, 7)]
    assert len(notes) == 3


def test_empty_collector_is_falsy_and_citing_nothing_gives_nothing():
    notes = Footnotes()
    assert notes.cite([]) == []
    assert not notes


def test_note_anchor_and_date_at_its_precision():
    notes = Footnotes()
    (note,) = notes.cite(
        [source(1, published_on=datetime.date(2022, 7, 1), published_precision=Precision.MONTH)]
    )
    assert note.anchor == "source-1"
    assert note.published_machine == "2022-07"
    assert note.published_display == "July 2022"
    (undated,) = notes.cite([source(2, published_on=None)])
    assert undated.published_display == "" and undated.published_machine == ""

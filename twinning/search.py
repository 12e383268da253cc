"""Site search over cities (every name they have), links, statements, people and appeals.

On PostgreSQL: full-text search (``SearchVector``/``SearchQuery``/``SearchRank``) plus trigram
word similarity on accent-folded names, so "Brunn", "kharkov", "Odessa" and the misspelling
"Terekov" find Brno, Kharkiv, Odesa and Ihor Terekhov. On SQLite: every word of the query must
appear, accents and case folded, in one of the same fields.

Each kind is ranked by one query returning at most ``PER_KIND`` (kind, id, score) rows; the rows
are merged and sorted in Python, and the page's records are then loaded with one query per kind.
So a search costs the same number of queries however much data there is.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from partnerships.models import City, CityName, Person
from partnerships.queries import Visibility
from twinning.text import Fold, fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PER_KIND = 200
# word_similarity (0–1) from which a fuzzy name match counts: "Terekov"/"Terekhov" is 0.625.
SIMILARITY = 0.5
FTS_CONFIG = "english"

KINDS = ("city", "link", "statement", "person", "appeal")
KIND_LABELS = {
    "city": _("City"),
    "link": _("Link"),
    "statement": _("Statement"),
    "person": _("Person"),
    "appeal": _("Appeal"),
}

_WORD = re.compile(r"\w+", re.UNICODE)


class QueryProblem(ValueError):
    """The query cannot be searched for; ``message`` says why, for the page."""


def clean_query(raw):
    """The query to search for, or QueryProblem with a message for the reader."""
    query = " ".join((raw or "").split())
    if "\x00" in query:
        raise QueryProblem(
            _("The search contained a character that cannot be searched for. Try other words.")
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryProblem(
            _("That search is too long. Use fewer words (at most %(max)d characters).")
            % {"max": MAX_QUERY_LENGTH}
        )
    if not query:
        raise QueryProblem(_("Type a name or a few words to search for."))
    if not terms(query):
        raise QueryProblem(_("Search for letters or numbers: a name, a place or a few words."))
    return query


def terms(query):
    """The query's words, folded, at most MAX_TERMS of them, longest first for highlighting."""
    words = list(dict.fromkeys(fold(w) for w in _WORD.findall(query)))[:MAX_TERMS]
    return [w for w in words if w]


@dataclass
class Hit:
    kind: str
    pk: int
    score: float
    matched_event: str = ""
    obj: object = field(default=None, repr=False)

    @property
    def label(self):
        return KIND_LABELS[self.kind]


class Search:
    """The ranked hits for ``query`` among what ``visible`` lets this reader see."""

    def __init__(self, query, visible=None):
        self.query = query
        self.terms = terms(query)
        self.visible = visible or Visibility(preview=False)
        self.postgres = connection.vendor == "postgresql"

    # --- ranking --------------------------------------------------------------------------

    def hits(self):
        """Every hit, best first: one query per kind, at most PER_KIND rows each."""
        found = []
        if not self.terms:
            return found
        for kind in KINDS:
            qs = getattr(self, f"_{kind}_matches")()
            rows = qs.values_list("pk", "score", *(["matched_event"] if kind == "link" else []))
            for row in rows.order_by("-score", "pk")[:PER_KIND]:
                found.append(Hit(kind, row[0], float(row[1] or 0), *(row[2:] or [""])))
        order = {kind: i for i, kind in enumerate(KINDS)}
        found.sort(key=lambda h: (-round(h.score, 6), order[h.kind], h.pk))
        return found

    def _fuzzy(self, *fields):
        """The best trigram word similarity of the query to any of ``fields`` (PostgreSQL)."""
        query = Fold(Value(self.query))
        sims = [TrigramWordSimilarity(query, Fold(Coalesce(f, Value("")))) for f in fields]
        return sims[0] if len(sims) == 1 else Greatest(*sims)

    def _tsquery(self):
        return SearchQuery(self.query, search_type="websearch", config=FTS_CONFIG)

    def _vector(self, *weighted):
        vector = None
        for name, weight in weighted:
            part = SearchVector(name, weight=weight, config=FTS_CONFIG)
            vector = part if vector is None else vector + part
        return vector

    def _every_term(self, *fields, related=()):
        """Q: each term appears in one of ``fields`` (folded) or in one of the ``related``
        subqueries, which are callables taking a term and returning an Exists (SQLite)."""
        condition = Q()
        for term in self.terms:
            one = Q()
            for name in fields:
                one |= Q(**{f"{name}__contains": term})
            for exists in related:
                one |= Q(exists(term))
            condition &= one
        return condition

    def _folded(self, qs, *fields):
        return qs.alias(**{f"folded_{i}": Fold(Coalesce(f, Value(""))) for i, f in enumerate(fields)})

    def _name_score(self, field_name):
        """SQLite: 3 for the whole name, 2 for its start, 1 anywhere, 0.5 for another field."""
        whole = fold(self.query)
        return Case(
            When(**{field_name: whole}, then=Value(3.0)),
            When(**{f"{field_name}__startswith": whole}, then=Value(2.0)),
            When(**{f"{field_name}__contains": whole}, then=Value(1.0)),
            default=Value(0.5),
            output_field=FloatField(),
        )

    def _city_matches(self):
        qs = City.objects.all()
        if self.postgres:
            other = (
                CityName.objects.filter(city=OuterRef("pk"))
                .annotate(sim=self._fuzzy("name"))
                .order_by("-sim")
                .values("sim")[:1]
            )
            vector = self._vector(("name", "A"), ("native_name", "A"), ("description", "C"))
            sim = Greatest(self._fuzzy("name", "native_name"), Coalesce(Subquery(other), Value(0.0)))
            return (
                qs.annotate(sim=sim, rank=SearchRank(vector, self._tsquery()), doc=vector)
                .filter(Q(sim__gte=SIMILARITY) | Q(doc=self._tsquery()))
                .annotate(score=F("sim") + F("rank") + Value(0.5))
            )

        def other_name(term):
            return Exists(
                CityName.objects.alias(f=Fold("name")).filter(city=OuterRef("pk"), f__contains=term)
            )

        qs = self._folded(qs, "name", "native_name", "description")
        return qs.filter(self._every_term("folded_0", "folded_1", "folded_2", related=[other_name])).annotate(
            score=self._name_score("folded_0") + Value(0.5)
        )

    def _link_matches(self):
        qs = self.visible.links()
        events = self.visible.events().filter(link=OuterRef("pk"))
        if self.postgres:
            event_vector = SearchVector("title", "description", config=FTS_CONFIG)
            matching = events.annotate(doc=event_vector).filter(doc=self._tsquery())
            vector = self._vector(
                ("city_a__name", "B"), ("city_b__name", "B"), ("summary", "C"), ("run_by", "C")
            )
            sim = self._fuzzy("city_a__name", "city_b__name", "city_a__native_name", "city_b__native_name")
            return (
                qs.annotate(
                    sim=sim,
                    rank=SearchRank(vector, self._tsquery()),
                    doc=vector,
                    event_hit=Exists(matching),
                    matched_event=Subquery(matching.order_by("date", "pk").values("title")[:1]),
                )
                .filter(Q(sim__gte=SIMILARITY) | Q(doc=self._tsquery()) | Q(event_hit=True))
                .annotate(
                    score=F("sim") * Value(0.6)
                    + F("rank")
                    + Case(When(event_hit=True, then=Value(0.4)), default=Value(0.0))
                )
            )

        def in_events(term):
            return Exists(
                events.alias(t=Fold("title"), d=Fold("description")).filter(
                    Q(t__contains=term) | Q(d__contains=term)
                )
            )

        def first_event():
            condition = Q()
            for term in self.terms:
                condition &= Q(t__contains=term) | Q(d__contains=term)
            return Subquery(
                events.alias(t=Fold("title"), d=Fold("description"))
                .filter(condition)
                .order_by("date", "pk")
                .values("title")[:1]
            )

        qs = self._folded(
            qs,
            "city_a__name",
            "city_b__name",
            "summary",
            "run_by",
            "city_a__native_name",
            "city_b__native_name",
        )
        return qs.filter(self._every_term(*(f"folded_{i}" for i in range(6)), related=[in_events])).annotate(
            score=Value(0.3), matched_event=first_event()
        )

    def _statement_matches(self):
        qs = self.visible.statements()
        if self.postgres:
            vector = self._vector(
                ("quote", "A"), ("translation", "A"), ("context", "B"), ("speaker__name", "B")
            )
            sim = self._fuzzy("speaker__name", "speaker__native_name")
            return (
                qs.annotate(sim=sim, rank=SearchRank(vector, self._tsquery()), doc=vector)
                .filter(Q(sim__gte=SIMILARITY) | Q(doc=self._tsquery()))
                .annotate(score=F("sim") * Value(0.5) + F("rank"))
            )
        qs = self._folded(qs, "quote", "translation", "context", "speaker__name", "speaker__native_name")
        return qs.filter(self._every_term(*(f"folded_{i}" for i in range(5)))).annotate(score=Value(0.2))

    def _person_matches(self):
        qs = Person.objects.all()
        if self.postgres:
            vector = self._vector(("name", "A"), ("native_name", "A"), ("description", "C"))
            sim = self._fuzzy("name", "native_name")
            return (
                qs.annotate(sim=sim, rank=SearchRank(vector, self._tsquery()), doc=vector)
                .filter(Q(sim__gte=SIMILARITY) | Q(doc=self._tsquery()))
                .annotate(score=F("sim") + F("rank") + Value(0.4))
            )
        qs = self._folded(qs, "name", "native_name", "description")
        return qs.filter(self._every_term("folded_0", "folded_1", "folded_2")).annotate(
            score=self._name_score("folded_0") + Value(0.4)
        )

    def _appeal_matches(self):
        qs = Appeal.objects.published()
        fields = ("title", "summary", "description", "organiser", "administering_charity", "sponsor")
        if self.postgres:
            vector = self._vector(
                ("title", "A"),
                ("organiser", "B"),
                ("administering_charity", "B"),
                ("sponsor", "B"),
                ("summary", "B"),
                ("description", "C"),
            )
            sim = self._fuzzy("title", "organiser")
            return (
                qs.annotate(sim=sim, rank=SearchRank(vector, self._tsquery()), doc=vector)
                .filter(Q(sim__gte=SIMILARITY) | Q(doc=self._tsquery()))
                .annotate(score=F("sim") * Value(0.6) + F("rank"))
            )
        qs = self._folded(qs, *fields)
        return qs.filter(self._every_term(*(f"folded_{i}" for i in range(len(fields))))).annotate(
            score=self._name_score("folded_0")
        )

    # --- loading a page of hits -----------------------------------------------------------

    def load(self, hits):
        """Attach each hit's record: one query per kind present on the page."""
        wanted = {}
        for hit in hits:
            wanted.setdefault(hit.kind, []).append(hit.pk)
        loaders = {
            "city": lambda: City.objects.prefetch_related(
                Prefetch("other_names", queryset=CityName.objects.order_by("name"))
            ),
            "link": lambda: self.visible.links().with_cities(),
            "statement": lambda: self.visible.statements().with_people(),
            "person": lambda: Person.objects.all(),
            "appeal": lambda: Appeal.objects.published(),
        }
        records = {}
        for kind, pks in wanted.items():
            records[kind] = loaders[kind]().in_bulk(pks)
        for hit in hits:
            hit.obj = records[hit.kind].get(hit.pk)
        return [hit for hit in hits if hit.obj is not None]

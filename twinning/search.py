"""Site search over cities (every name they have), links, statements, people and appeals.

On PostgreSQL: full-text search (``SearchVector``/``SearchQuery``/``SearchRank``) plus trigram
word similarity on accent-folded names, so "Brunn", "kharkov", "Odessa" and the misspelling
"Terekov" find Brno, Kharkiv, Odesa and Ihor Terekhov. On SQLite: every word of the query must
appear, accents and case folded, in one of the same fields.

On PostgreSQL every condition that picks rows is one an index answers (indexes in
twinning/migrations/0004_indexed_search.py, docs/adr/0024-indexed-search-on-postgresql.md): the
fuzzy match is the operator ``%>`` on folded names, the full-text match ``@@`` on each table's
own vector, and what another table contributes (a link's cities, its events, a statement's
speaker) is found in that table first and looked up by id. The scores are computed only for the
rows found.

Each kind is ranked by one query returning at most ``PER_KIND`` (kind, id, score) rows; the rows
are merged and sorted in Python, and the page's records are then loaded with one query per kind.
So a search costs the same number of queries however much data there is.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
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
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from partnerships.models import City, CityName, Person, Role
from partnerships.queries import Visibility
from twinning.expressions import AmongIds
from twinning.text import Fold, fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# A query of fewer letters and digits than this matches names whole, not fuzzily: one or two
# letters are word-similar to every name with a word that starts with them, and "a" made
# PostgreSQL score every link of thousands of cities (160 ms; "ro" 120 ms).
MIN_FUZZY_LETTERS = 3
# Records found by their text alone (a summary, a quote, a history, a description) are ranked
# from the most recent MAX_BY_TEXT of each kind; those found by a name are all ranked. A common
# word is in nearly every record: "partnership" made PostgreSQL build and score the text of all
# 47,000 links and 19,000 statements (2.5 s). At most PER_KIND of each kind are shown anyway.
MAX_BY_TEXT = 1000
PER_KIND = 200
# word_similarity (0–1) from which a fuzzy name match counts: "Terekov"/"Terekhov" is 0.625. On
# PostgreSQL the connection's pg_trgm.word_similarity_threshold, set from the same setting.
SIMILARITY = settings.SEARCH_WORD_SIMILARITY
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
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)


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


# Ranking SQL and its parameters by shape: see Search._ranked().
_COMPILED = {}


def _stand_ins(n_words, whole):
    """A stand-in query of ``n_words`` words (or of none, if ``whole``: the query is then its
    own only word), followed by the words: distinct strings no parameter of the SQL equals."""
    if whole:
        return ("\x01", "\x01")  # the query, and its one word
    words = [f"standin{i}x" for i in range(n_words)]
    return (" ".join(words * 2), *words)  # twice, so that one word is not the whole query


def _compile(kind, visible, n_words, whole, short):
    search = Search(_stand_ins(n_words, whole)[0], visible)
    search.short = short
    sql, params = search._ranking(kind).query.sql_with_params()
    return sql, params


class Search:
    """The ranked hits for ``query`` among what ``visible`` lets this reader see."""

    def __init__(self, query, visible=None):
        self.query = query
        self.terms = terms(query)
        self.visible = visible or Visibility(preview=False)
        self.postgres = connection.vendor == "postgresql"
        self.short = sum(character.isalnum() for character in query) < MIN_FUZZY_LETTERS

    # --- ranking --------------------------------------------------------------------------

    def hits(self):
        """Every hit, best first: one query per kind, at most PER_KIND rows each."""
        found = []
        if not self.terms:
            return found
        with transaction.atomic():
            if self.postgres:
                # Planned for this query's words every time. A prepared statement is given a
                # generic plan after five runs when that looks no dearer, and a plan fitted to
                # the thousands of records a common word finds made the next searches on the
                # connection slow: "Kharkiv" took 356 ms after "partnership", 10 ms before.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            for kind in KINDS:
                for pk, score in self._ranked(kind):
                    found.append(Hit(kind, pk, float(score or 0)))
        order = {kind: i for i, kind in enumerate(KINDS)}
        found.sort(key=lambda h: (-round(h.score, 6), order[h.kind], h.pk))
        return found

    def _ranking(self, kind):
        """The ranking query of ``kind``: (pk, score) of its best PER_KIND matches."""
        qs = getattr(self, f"_{kind}_matches")()
        return qs.values_list("pk", "score").order_by("-score", "pk")[:PER_KIND]

    def _ranked(self, kind):
        """The rows of ``_ranking(kind)``. On PostgreSQL its SQL is built and compiled once per
        shape (kind, preview, number of words) with stand-in words, then run with this query's
        words as its parameters: building and compiling these queries cost more than running
        them (docs/adr/0066-render-cost-of-the-busiest-pages.md)."""
        words = self._words()
        if not self.postgres or len(words) > MAX_TERMS:  # a long query is built each time
            return list(self._ranking(kind))
        shape = (kind, self.visible.preview, len(words), words == [self.query], self.short)
        compiled = _COMPILED.get(shape)
        if compiled is None:
            compiled = _COMPILED[shape] = _compile(kind, self.visible, *shape[2:])
        sql, params = compiled
        stand_ins = _stand_ins(*shape[2:4])
        real = dict(zip(stand_ins, [self.query, *words], strict=True))
        with connection.cursor() as cursor:
            cursor.execute(sql, [real.get(p, p) if isinstance(p, str) else p for p in params])
            return cursor.fetchall()

    def _words(self):
        """The query's words for ``_any_word_tsquery()``: runs of letters and digits."""
        return list(dict.fromkeys(_ALNUM.findall(self.query))) or [self.query]

    def _fuzzy(self, *fields):
        """The best trigram word similarity of the query to any of ``fields`` (PostgreSQL)."""
        query = Fold(Value(self.query))
        sims = [TrigramWordSimilarity(query, Fold(f)) for f in fields]
        return sims[0] if len(sims) == 1 else Greatest(*sims)

    def _similar(self, *fields):
        """Q: the query is word-similar to one of ``fields`` (PostgreSQL), in the operator form
        a trigram index on the folded field answers: ``twinning_fold(field) %> twinning_fold(query)``,
        true from the connection's pg_trgm.word_similarity_threshold (SIMILARITY). A short query
        (MIN_FUZZY_LETTERS) must equal the folded field, which the same index answers."""
        query = Fold(Value(self.query))
        lookup = Exact if self.short else TrigramWordSimilar
        condition = Q()
        for name in fields:
            condition |= Q(lookup(Fold(name), query))
        return condition

    def _tsquery(self):
        return SearchQuery(self.query, search_type="websearch", config=FTS_CONFIG)

    def _any_word_tsquery(self):
        """A tsquery matching a text that has any one word of the query (PostgreSQL).

        A link matches when its cities' names, summary and who runs it together hold every word
        of the query; so a link matching through a city's name has a city with at least one of
        them, and the cities that have one are found by their own index. Words are runs of
        letters and digits, which the parser does not split further (names are such words)."""
        tsquery = None
        for word in self._words():
            one = SearchQuery(word, search_type="plain", config=FTS_CONFIG)
            tsquery = one if tsquery is None else tsquery | one
        return tsquery

    def _similar_ids(self, model):
        """The ids of ``model`` rows whose name or native name is similar to the query
        (PostgreSQL): the cities or people through which a link or a statement is similar. A
        city is also similar through one of its other names ("Kharkov" for Kharkiv)."""
        return model.objects.filter(self._similar_condition(model)).order_by().values("pk")

    def _named_ids(self, model):
        """The ids of ``model`` rows whose name is similar to the query or has one of its words
        (PostgreSQL): the cities or people through which a link or a statement can match."""
        named = model.objects.alias(name_doc=SearchVector("name", config=FTS_CONFIG))
        condition = self._similar_condition(model) | Q(name_doc=self._any_word_tsquery())
        return Subquery(named.filter(condition).order_by().values("pk"))

    def _similar_condition(self, model):
        condition = self._similar("name", "native_name")
        if model is City:
            other = CityName.objects.filter(self._similar("name")).order_by().values("city_id")
            condition |= Q(AmongIds("pk", Subquery(other)))
        return condition

    def _by_text(self, candidates, *order):
        """Q: among the first MAX_BY_TEXT of ``candidates`` (found by their text, through its
        index) in ``order``, most recent first."""
        return Q(AmongIds("pk", candidates.order_by(*order).values("pk")[:MAX_BY_TEXT]))

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
            similar_other = CityName.objects.filter(self._similar("name")).order_by().values("city_id")
            vector = self._vector(("name", "A"), ("native_name", "A"), ("description", "C"))
            sim = Greatest(self._fuzzy("name", "native_name"), Coalesce(Subquery(other), Value(0.0)))
            by_text = qs.alias(doc=vector).filter(doc=self._tsquery())
            return (
                qs.filter(
                    self._similar("name", "native_name")
                    | Q(AmongIds("pk", Subquery(similar_other)))
                    | self._by_text(by_text, "-pk")
                )
                .annotate(sim=sim, rank=SearchRank(vector, self._tsquery()))
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
        if self.postgres:
            tsquery = self._tsquery()
            event_links = (
                self.visible.events()
                .alias(doc=SearchVector("title", "description", config=FTS_CONFIG))
                .filter(doc=tsquery)
                .order_by()
                .values("link_id")
            )
            vector = self._vector(
                ("city_a__name", "B"), ("city_b__name", "B"), ("summary", "C"), ("run_by", "C")
            )
            own = self._vector(("summary", "C"), ("run_by", "C"))
            fuzzy = ("city_a__name", "city_b__name", "city_a__native_name", "city_b__native_name")
            cities = self._named_ids(City)
            similar = self._similar_ids(City)
            by_text = qs.alias(own_doc=own).filter(
                Q(own_doc=tsquery) | Q(AmongIds("pk", Subquery(event_links)))
            )
            return (
                qs.alias(doc=vector)
                # The links that can match, each alternative answered by an index: a city at
                # either end named like the query, or (the most recent MAX_BY_TEXT of them) a
                # summary that matches by itself or a matching event...
                .filter(
                    Q(AmongIds("city_a_id", cities))
                    | Q(AmongIds("city_b_id", cities))
                    | self._by_text(by_text, "-pk")
                )
                # ...and of those, the ones that do: the lists of similar cities and matching
                # events are hashed, and the whole vector is built last, for what is left.
                .filter(
                    Q(city_a_id__in=similar)
                    | Q(city_b_id__in=similar)
                    | Q(pk__in=event_links)
                    | Q(doc=tsquery)
                )
                .annotate(
                    sim=self._fuzzy(*fuzzy),
                    rank=SearchRank(vector, tsquery),
                    history=Case(When(pk__in=event_links, then=Value(0.4)), default=Value(0.0)),
                )
                .annotate(score=F("sim") * Value(0.6) + F("rank") + F("history"))
            )

        events = self.visible.events().filter(link=OuterRef("pk"))

        def in_events(term):
            return Exists(
                events.alias(t=Fold("title"), d=Fold("description")).filter(
                    Q(t__contains=term) | Q(d__contains=term)
                )
            )

        def other_name(side):
            def exists(term):
                return Exists(
                    CityName.objects.alias(f=Fold("name")).filter(
                        city=OuterRef(f"{side}_id"), f__contains=term
                    )
                )

            return exists

        qs = self._folded(
            qs,
            "city_a__name",
            "city_b__name",
            "summary",
            "run_by",
            "city_a__native_name",
            "city_b__native_name",
        )
        related = [in_events, other_name("city_a"), other_name("city_b")]
        return qs.filter(self._every_term(*(f"folded_{i}" for i in range(6)), related=related)).annotate(
            score=Value(0.3)
        )

    def _first_matching_event(self):
        """The title of a link's first visible event that matches the query, or None."""
        events = self.visible.events().filter(link=OuterRef("pk"))
        if self.postgres:
            vector = SearchVector("title", "description", config=FTS_CONFIG)
            events = events.alias(doc=vector).filter(doc=self._tsquery())
        else:
            condition = Q()
            for term in self.terms:
                condition &= Q(t__contains=term) | Q(d__contains=term)
            events = events.alias(t=Fold("title"), d=Fold("description")).filter(condition)
        return Subquery(events.order_by("date", "pk").values("title")[:1])

    def _statement_matches(self):
        qs = self.visible.statements()
        if self.postgres:
            vector = self._vector(
                ("quote", "A"), ("translation", "A"), ("context", "B"), ("speaker__name", "B")
            )
            own = self._vector(("quote", "A"), ("translation", "A"), ("context", "B"))
            tsquery = self._tsquery()
            fuzzy = ("speaker__name", "speaker__native_name")
            # As for links: through a speaker named like the query who is similar to it, or
            # whose statement's whole vector matches; or by their own text, the most recent
            # MAX_BY_TEXT of them.
            by_text = qs.alias(own_doc=own).filter(own_doc=tsquery)
            return (
                qs.alias(doc=vector)
                .filter(
                    Q(AmongIds("speaker_id", self._named_ids(Person)))
                    & (Q(speaker_id__in=self._similar_ids(Person)) | Q(doc=tsquery))
                    | self._by_text(by_text, "-date", "-pk")
                )
                .annotate(sim=self._fuzzy(*fuzzy), rank=SearchRank(vector, tsquery))
                .annotate(score=F("sim") * Value(0.5) + F("rank"))
            )
        qs = self._folded(qs, "quote", "translation", "context", "speaker__name", "speaker__native_name")
        return qs.filter(self._every_term(*(f"folded_{i}" for i in range(5)))).annotate(score=Value(0.2))

    def _person_matches(self):
        """People by their names and description, and by the titles of the roles they held
        ("Lord Mayor"), found through the roles' own index."""
        qs = Person.objects.all()
        if self.postgres:
            vector = self._vector(("name", "A"), ("native_name", "A"), ("description", "C"))
            by_role = (
                Role.objects.alias(title_doc=SearchVector("title", config=FTS_CONFIG))
                .filter(title_doc=self._tsquery())
                .order_by()
                .values("person_id")
            )
            return (
                qs.alias(doc=vector)
                .filter(
                    self._similar("name", "native_name")
                    | Q(doc=self._tsquery())
                    | Q(AmongIds("pk", Subquery(by_role)))
                )
                .annotate(
                    sim=self._fuzzy("name", "native_name"),
                    rank=SearchRank(vector, self._tsquery()),
                    role=Case(When(pk__in=by_role, then=Value(0.3)), default=Value(0.0)),
                )
                .annotate(score=F("sim") + F("rank") + F("role") + Value(0.4))
            )

        def in_roles(term):
            return Exists(Role.objects.alias(t=Fold("title")).filter(person=OuterRef("pk"), t__contains=term))

        qs = self._folded(qs, "name", "native_name", "description")
        return qs.filter(self._every_term("folded_0", "folded_1", "folded_2", related=[in_roles])).annotate(
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
            return (
                qs.alias(doc=vector)
                .filter(self._similar("title", "organiser") | Q(doc=self._tsquery()))
                .annotate(sim=self._fuzzy("title", "organiser"), rank=SearchRank(vector, self._tsquery()))
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
            "link": lambda: (
                self.visible.links().with_cities().annotate(matched_event=self._first_matching_event())
            ),
            "statement": lambda: self.visible.statements().with_people(),
            "person": lambda: Person.objects.all(),
            "appeal": lambda: Appeal.objects.published(),
        }
        records = {}
        for kind, pks in wanted.items():
            records[kind] = loaders[kind]().in_bulk(pks)
        for hit in hits:
            hit.obj = records[hit.kind].get(hit.pk)
            hit.matched_event = getattr(hit.obj, "matched_event", None) or ""
        return [hit for hit in hits if hit.obj is not None]

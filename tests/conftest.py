import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from partnerships.dates import Precision
from partnerships.models import Link, Statement
from tests import factories as f


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to a /uk/ page leaves Ukrainian active in the thread; reverse() and
    get_absolute_url() in the next test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Every test starts with an empty cache: no page rendered by another test can be served."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _open_data_store(settings, tmp_path):
    """Each test stores its open-data downloads in a directory of its own."""
    settings.OPEN_DATA_ROOT = str(tmp_path / "open-data")


@pytest.fixture
def client_no_raise(client):
    """A test client that renders error pages instead of raising the view's exception."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="a long test password", is_staff=True)
    client.force_login(user)
    return client


def _city(name, slug, country, lat, lon, **kwargs):
    return f.CityFactory(
        name=name, slug=slug, country=country, latitude=Decimal(lat), longitude=Decimal(lon), **kwargs
    )


@pytest.fixture
def world(db):
    """A small copy of the real content: Leeds, Kharkiv, their shared partners, Liverpool–Odesa,
    drafts that must stay hidden, and one event on which sources differ."""
    w = SimpleNamespace()
    w.council = f.SourceFactory(
        title="Partner cities page", publisher="Leeds City Council", url="", published_on=None
    )
    w.bbc = f.SourceFactory(
        title="Councillors back plan to twin Leeds with Kharkiv",
        publisher="BBC News",
        published_on=datetime.date(2022, 7, 1),
        published_precision=Precision.MONTH,
    )
    w.bbc_2023 = f.SourceFactory(
        title="BBC report describing Leeds as formally twinned with Kharkiv",
        publisher="BBC News",
        published_on=datetime.date(2023, 11, 1),
        published_precision=Precision.MONTH,
        note="Conflicts with Leeds City Council's account of December 2023.",
    )
    w.oath_news = f.SourceFactory(
        title="Council news on the Leeds–Kharkiv Friendship Oath",
        publisher="Leeds City Council news",
        published_on=datetime.date(2023, 12, 6),
    )
    w.infobox = f.SourceFactory(title="City infoboxes", publisher="Wikipedia", published_on=None)

    w.leeds = _city("Leeds", "leeds", "GB", "53.79972", "-1.54917", population=812000, population_year=2021)
    w.kharkiv = _city(
        "Kharkiv",
        "kharkiv",
        "UA",
        "49.9925",
        "36.2311",
        native_name="Харків",
        population=1421125,
        population_year=2022,
        population_note="about a third evacuated in 2022",
        population_source=w.infobox,
        description="Ukraine's second city.",
    )
    w.lille = _city("Lille", "lille", "FR", "50.6278", "3.0583")
    w.brno = _city("Brno", "brno", "CZ", "49.19250", "16.60833")
    w.odesa = _city("Odesa", "odesa", "UA", "46.485722", "30.743444", native_name="Одеса")
    w.liverpool = _city("Liverpool", "liverpool", "GB", "53.4000", "-2.9830")
    f.CityNameFactory(city=w.kharkiv, name="Kharkov", kind="translit", language="Russian")
    w.kharkiv.sources.add(w.infobox)

    def link(a, b, kind, **kwargs):
        return f.LinkFactory(city_a=a, city_b=b, kind=kind, **kwargs)

    w.leeds_kharkiv = link(
        w.leeds,
        w.kharkiv,
        Link.Kind.FRIENDSHIP_OATH,
        slug="leeds-kharkiv",
        is_featured=True,
        run_by="Leeds City Council and Kharkiv City Council",
        summary="A solidarity link agreed in wartime.",
    )
    w.leeds_kharkiv.sources.add(w.council)
    w.leeds_lille = link(w.leeds, w.lille, Link.Kind.TWIN_TOWN, slug="leeds-lille")
    w.leeds_brno = link(w.leeds, w.brno, Link.Kind.MOU, slug="leeds-brno")
    w.kharkiv_lille = link(w.kharkiv, w.lille, Link.Kind.TWIN_TOWN, slug="kharkiv-lille")
    w.kharkiv_brno = link(w.kharkiv, w.brno, Link.Kind.PARTNER_CITY, slug="kharkiv-brno")
    w.liverpool_odesa = link(w.liverpool, w.odesa, Link.Kind.FRIENDSHIP_LINK, slug="liverpool-odesa")
    # Odesa is linked to both Leeds and Kharkiv, but one of the two links is a draft:
    # it must not count as a shared partner, and the draft must not be seen by the public.
    w.leeds_odesa = link(w.leeds, w.odesa, Link.Kind.SOLIDARITY, slug="leeds-odesa")
    w.draft_link = link(w.kharkiv, w.odesa, Link.Kind.SOLIDARITY, slug="kharkiv-odesa", is_published=False)

    def event(lnk, date, precision, title, status="", sources=(), **kwargs):
        return f.EventFactory(
            link=lnk,
            date=date,
            date_precision=precision,
            title=title,
            status=status,
            sources=list(sources),
            **kwargs,
        )

    Y, M, D = Precision.YEAR, Precision.MONTH, Precision.DAY
    event(w.leeds_lille, datetime.date(1968, 1, 1), Y, "Leeds and Lille twinned", "active", [w.council])
    event(w.leeds_brno, datetime.date(2003, 1, 1), Y, "Memorandum of understanding", "active", [w.council])
    event(w.kharkiv_lille, datetime.date(1978, 1, 1), Y, "Twinned", "active", [w.infobox])
    event(w.kharkiv_brno, datetime.date(2005, 4, 12), D, "Declaration of intent", "active", [w.infobox])
    event(w.liverpool_odesa, datetime.date(1957, 1, 1), Y, "Friendship link formed", "active", [w.infobox])
    event(w.leeds_odesa, datetime.date(2022, 3, 1), M, "Solidarity link", "active", [w.council])
    event(w.draft_link, datetime.date(2022, 5, 1), M, "Draft link event", "proposed", [w.council])
    event(w.leeds_kharkiv, datetime.date(2022, 6, 1), M, "Kharkiv approaches Leeds", sources=[w.bbc])
    w.explore = event(
        w.leeds_kharkiv,
        datetime.date(2022, 7, 1),
        M,
        "Councillors agree to explore a partnership",
        "proposed",
        [w.bbc, w.council],
        decided_by="Leeds City Council",
    )
    w.oath = event(
        w.leeds_kharkiv,
        datetime.date(2023, 12, 6),
        D,
        "Friendship Oath signed in Prague",
        "under_negotiation",
        [w.oath_news],
        decided_by="Lord Mayor of Leeds and First Deputy Mayor of Kharkiv",
    )
    f.AlternativeClaimFactory(
        event=w.oath,
        claim="Leeds is formally twinned with Kharkiv.",
        date=datetime.date(2023, 11, 1),
        date_precision=M,
        sources=[w.bbc_2023],
    )
    w.draft_event = event(
        w.leeds_kharkiv,
        datetime.date(2024, 1, 1),
        Y,
        "Unpublished event",
        "active",
        [w.council],
        is_published=False,
    )

    w.lewis = f.PersonFactory(name="James Lewis", slug="james-lewis")
    w.lewis_role = f.RoleFactory(
        person=w.lewis,
        title="Leader of Leeds City Council",
        city=w.leeds,
        start=datetime.date(2021, 1, 1),
        start_precision=Y,
    )
    w.terekhov = f.PersonFactory(name="Ihor Terekhov", slug="ihor-terekhov", native_name="Ігор Терехов")
    w.terekhov_role = f.RoleFactory(person=w.terekhov, title="Mayor of Kharkiv", city=w.kharkiv)
    w.lewis_said = f.StatementFactory(
        speaker=w.lewis,
        role=w.lewis_role,
        link=w.leeds_kharkiv,
        quote="This new partnership would cement forever the relationship between our two cities.",
        date=datetime.date(2022, 7, 1),
        date_precision=M,
        sources=[w.bbc],
    )
    w.terekhov_said = f.StatementFactory(
        speaker=w.terekhov,
        role=w.terekhov_role,
        link=w.leeds_kharkiv,
        quote="Ми пишаємося новими стосунками з Лідсом.",
        language=Statement.Language.UKRAINIAN,
        translation="We are proud of the new relationship with Leeds.",
        date=datetime.date(2022, 7, 1),
        date_precision=M,
        sources=[w.bbc],
    )
    w.about_kharkiv = f.StatementFactory(
        speaker=w.terekhov,
        link=None,
        city=w.kharkiv,
        quote="Kharkiv stands.",
        date=datetime.date(2023, 1, 1),
        date_precision=Y,
        sources=[w.oath_news],
    )
    w.draft_statement = f.StatementFactory(
        speaker=w.lewis, link=w.leeds_kharkiv, quote="Not yet public words.", is_published=False
    )
    w.statement_on_draft_link = f.StatementFactory(
        speaker=w.terekhov, link=w.draft_link, quote="Words about a draft link."
    )
    for value in vars(w).values():
        if isinstance(value, Link):
            value.refresh_from_db()  # status and start date derived from the events
    return w


@pytest.fixture
def today(monkeypatch):
    """Fix the appeals' idea of today (status, click days) at 1 August 2022."""
    import datetime

    day = datetime.date(2022, 8, 1)
    monkeypatch.setattr("appeals.clock.today", lambda: day)
    return day


def pytest_configure(config):
    """Compile the translation catalogues, as `make` does, when a .mo is missing or older than
    its .po, so that a bare `pytest` tests the Ukrainian interface too (GNU gettext's msgfmt)."""
    import shutil
    import subprocess
    from pathlib import Path

    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if shutil.which("msgfmt") is None:
            raise pytest.UsageError("msgfmt is missing: install GNU gettext (apt-get install gettext).")
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture
def site(world):
    """The world plus an open appeal with a route, a figure and an update, and a closed one:
    every kind of public page (tests/site_urls.py lists them)."""
    w = world
    w.appeal = f.AppealFactory(title="Leeds Together for Ukraine", slug="leeds-together")
    w.appeal.cities.add(w.leeds)
    w.appeal.links.add(w.leeds_kharkiv)
    w.appeal.sources.add(w.council)
    w.route = f.DonationRouteFactory(appeal=w.appeal, url="https://donate.example.org/leeds")
    w.figure = f.RaisedFigureFactory(appeal=w.appeal, source=w.bbc)
    w.update = f.AppealUpdateFactory(appeal=w.appeal, sources=[w.bbc])
    w.closed_appeal = f.AppealFactory(title="An old appeal", slug="old-appeal", closed_early=True)
    w.closed_appeal.cities.add(w.liverpool)
    w.closed_route = f.DonationRouteFactory(appeal=w.closed_appeal, url="https://donate.example.org/old")
    return w


def ensure_staff_groups():
    """The Editor and Publisher groups, as their data migration creates them. Tests that empty
    the database (transactional tests flush it) remove them; this puts them back."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=["Editor", "Publisher"]).count() < 2:
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        import_module("twinning.migrations.0002_editor_and_publisher_groups").build_groups(apps)


@pytest.fixture
def staff_groups(db):
    ensure_staff_groups()

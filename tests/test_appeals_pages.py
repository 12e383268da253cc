"""The public appeal pages: what a visitor can tell, bad input, and query counts."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from appeals.models import Appeal, RaisedFigure
from partnerships import dates
from partnerships.models import Statement
from tests.factories import (
    AppealFactory,
    AppealUpdateFactory,
    CityFactory,
    DonationRouteFactory,
    LinkFactory,
    PersonFactory,
    RaisedFigureFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
LIST = "/appeals/"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def text(html):
    """The words of a page, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",")


def day(value):
    return dates.display(value, "day")


class Page(HTMLParser):
    """Collects tags and checks that every non-void element is closed in order."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.stack, self.errors, self.ids = [], [], [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def find_all(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def check_page(response):
    """Well-formed, no inline style or script, nothing from another origin, unique ids."""
    html = response.content.decode()
    page = Page(html)
    assert page.errors == [] and page.stack == [], page.errors
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for tag, attrs in page.tags:
        # A JSON-LD data block is data, not a script.
        if not (tag == "script" and attrs.get("type") == "application/ld+json"):
            assert tag not in {"script", "style", "iframe"}, tag
        assert "style" not in attrs, f"inline style on {tag}"
        assert not any(k.startswith("on") for k in attrs), f"event handler on {tag}"
        if tag in {"link", "img"}:
            # Same origin: a path, or (hreflang alternates must be absolute) this site's address.
            address = attrs.get("href") or attrs.get("src")
            assert address.startswith(("/", "http://testserver/")), attrs
    return page


@pytest.fixture
def leeds_appeal(today):
    leeds = CityFactory(name="Leeds", slug="leeds")
    kharkiv = CityFactory(name="Kharkiv", slug="kharkiv", country="UA")
    link = LinkFactory(city_a=leeds, city_b=kharkiv, slug="leeds-kharkiv")
    yep = SourceFactory(publisher="Yorkshire Evening Post", title="Appeal total", url="")
    council = SourceFactory(publisher="Leeds City Council", title="Launch")
    appeal = AppealFactory(
        title="Leeds Together for Ukraine",
        slug="leeds-together-for-ukraine",
        organiser="Leeds City Council",
        administering_charity="Leeds Community Foundation",
        sponsor="",
        launched_on=D(2022, 3, 8),
    )
    appeal.cities.add(leeds)
    appeal.links.add(link)
    RaisedFigureFactory(appeal=appeal, amount=Decimal(50000), as_of=D(2022, 3, 8), source=council)
    RaisedFigureFactory(
        appeal=appeal,
        amount=Decimal(66500),
        as_of=D(2022, 3, 17),
        source=yep,
        qualifier=RaisedFigure.Qualifier.MORE_THAN,
        note="From more than 120 donors.",
    )
    DonationRouteFactory(appeal=appeal, label="JustGiving campaign page", url="https://www.justgiving.com/x")
    return appeal


class TestDetail:
    def test_a_visitor_can_tell_who_what_when_and_whether_open(self, client, leeds_appeal):
        response = client.get(leeds_appeal.get_absolute_url())
        assert response.status_code == 200
        page = check_page(response)
        html = response.content.decode()
        text = re.sub(r"\s+", " ", html)
        assert "<h1>Leeds Together for Ukraine</h1>" in html
        assert "Run by</dt>" in text and "Leeds City Council" in text
        assert "Money held by</dt>" in text and "Leeds Community Foundation" in text
        # The latest figure, as of when, by whose count.
        latest = re.search(r'<p class="figure-latest">(.*?)</p>', text).group(1)
        assert "More than £66,500" in latest
        assert day(D(2022, 3, 17)) in latest and 'datetime="2022-03-17"' in latest
        assert "Yorkshire Evening Post" in latest
        # Open, with one Donate button through the site's own URL.
        assert 'class="tag tag--open"' in html
        buttons = [a for a in page.find_all("a") if "button" in (a.get("class") or "")]
        route = leeds_appeal.routes.get()
        assert [b["href"] for b in buttons] == [f"/appeals/donate/{route.pk}/"]
        assert buttons[0]["rel"] == "nofollow"
        assert "https://www.justgiving.com/x" not in html  # the page links through the counter only
        assert "www.justgiving.com" in html  # but says where it goes

    def test_figure_history_lists_every_figure_with_date_and_source(self, client, leeds_appeal):
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        table = re.search(r'<table class="figure-history">.*?</table>', html, re.S).group(0)
        rows = re.findall(r"<tr>.*?</tr>", table, re.S)[1:]
        assert len(rows) == 2
        assert "£66,500" in rows[0] and "2022-03-17" in rows[0] and "Yorkshire Evening Post" in rows[0]
        assert "£50,000" in rows[1] and "2022-03-08" in rows[1] and "Leeds City Council" in rows[1]
        # Every cited source is listed, with an anchor the citations point to.
        for source in {f.source for f in leeds_appeal.figures.all()}:
            assert f'id="source-{source.pk}"' in html
            assert f'href="#source-{source.pk}"' in html

    def test_parts_are_shown_separately_never_added(self, client, leeds_appeal):
        source = SourceFactory()
        RaisedFigureFactory(
            appeal=leeds_appeal,
            part=RaisedFigure.Part.GIFT_AID,
            amount=Decimal(3000),
            as_of=D(2022, 3, 17),
            source=source,
        )
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "Reported separately" in html
        assert "£3,000" in html
        assert "£69,500" not in html  # 66,500 + 3,000: never added up

    def test_no_bar_without_a_target(self, client, leeds_appeal):
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "<progress" not in html
        assert "target" not in html.lower().split("what has been raised")[1].split("</section>")[0]

    def test_progress_is_a_sentence_then_a_bar(self, client, leeds_appeal):
        leeds_appeal.target_amount = Decimal(100000)
        leeds_appeal.save()
        html = re.sub(r"\s+", " ", client.get(leeds_appeal.get_absolute_url()).content.decode())
        sentence = "More than £66,500 raised of a £100,000 target (67%), as of "
        assert sentence in html
        assert html.index(sentence) < html.index("<progress")
        words = text(html)
        assert f"{sentence}{day(D(2022, 3, 17))}. According to Yorkshire Evening Post" in words
        bar = re.search(r"<progress[^>]*>", html).group(0)
        assert 'max="100000.00"' in bar and 'value="66500.00"' in bar
        assert 'aria-labelledby="appeal-progress-sentence"' in bar

    def test_over_target_is_said_in_words(self, client, leeds_appeal):
        leeds_appeal.target_amount = Decimal(50000)
        leeds_appeal.save()
        html = re.sub(r"\s+", " ", client.get(leeds_appeal.get_absolute_url()).content.decode())
        assert "raised of a £50,000 target (133%): £16,500 more than the target" in html
        bar = re.search(r"<progress[^>]*>", html).group(0)
        assert 'value="50000.00"' in bar  # the bar stops at full; the words say by how much

    def test_no_bar_when_currencies_differ(self, client, leeds_appeal):
        leeds_appeal.target_amount = Decimal(100000)
        leeds_appeal.target_currency = "EUR"
        leeds_appeal.save()
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "<progress" not in html
        assert "The target is €100,000." in html

    def test_charity_number_shown_only_when_entered_and_linked_to_register(self, client, leeds_appeal):
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "registered charity" not in html
        leeds_appeal.charity_number = "1234567"
        leeds_appeal.charity_register_url = "https://register.example.org/charity/1234567"
        leeds_appeal.save()
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert '<a href="https://register.example.org/charity/1234567">1234567</a>' in html

    def test_closed_appeal_shows_no_donate_button(self, client, leeds_appeal, today):
        instead = AppealFactory(title="Still Open", slug="still-open")
        leeds_appeal.closes_on = today - datetime.timedelta(days=1)
        leeds_appeal.give_instead = instead
        leeds_appeal.save()
        response = client.get(leeds_appeal.get_absolute_url())
        html = response.content.decode()
        assert "/appeals/donate/" not in html
        assert "tag--closed" in html
        assert "no longer taking donations" in html
        assert 'href="/appeals/still-open/"' in html

    def test_upcoming_appeal_shows_no_donate_button(self, client, leeds_appeal, today):
        leeds_appeal.launched_on = today + datetime.timedelta(days=10)
        leeds_appeal.save()
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "/appeals/donate/" not in html
        assert "tag--upcoming" in html

    def test_goods_appeal_reports_progress_in_words(self, client, today):
        appeal = AppealFactory(
            kind=Appeal.Kind.GOODS, organiser="", administering_charity="", sponsor="Leeds Charity Lunch"
        )
        RaisedFigureFactory(
            appeal=appeal,
            amount=None,
            in_words="Two vans of donated goods",
            as_of=D(2022, 3, 1),
            as_of_precision="month",
        )
        html = text(client.get(appeal.get_absolute_url()).content.decode())
        assert "What has been collected" in html
        assert "Two vans of donated goods as of March 2022, according to Example News" in html
        assert "Sponsored by Leeds Charity Lunch" in html
        assert "Not recorded: our sources do not say." in html
        assert "<progress" not in html
        assert "We have no donation page on record" in html

    def test_updates_with_sources_and_conflicts(self, client, leeds_appeal):
        first = AppealUpdateFactory(
            appeal=leeds_appeal, title="Two vans left", date=D(2022, 3, 1), date_precision="month"
        )
        second = AppealUpdateFactory(appeal=leeds_appeal, title="Four or five vans left", date=D(2022, 4, 14))
        first.conflicts_with = second
        first.save()
        AppealUpdateFactory(appeal=leeds_appeal, title="Unpublished news", is_published=False)
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "Two vans left" in html and "Four or five vans left" in html
        assert "Unpublished news" not in html
        assert "Sources differ." in html and f'href="#update-{second.pk}"' in html
        for update in (first, second):
            source = update.sources.get()
            assert f'href="#source-{source.pk}"' in html

    def test_statements_about_the_appeal(self, client, leeds_appeal):
        statement = Statement.objects.create(
            quote="Give what you can.",
            speaker=PersonFactory(name="James Lewis"),
            date=D(2022, 3, 8),
            appeal=leeds_appeal,
            is_published=True,
        )
        statement.sources.add(SourceFactory(publisher="BBC News"))
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "Give what you can." in html and "James Lewis" in html and "BBC News" in html

    def test_cities_and_links_are_named(self, client, leeds_appeal):
        html = client.get(leeds_appeal.get_absolute_url()).content.decode()
        assert "Leeds" in html and "Kharkiv" in html

    def test_draft_is_404_for_the_public_and_previewable_by_staff(self, client, admin_client, leeds_appeal):
        leeds_appeal.is_published = False
        leeds_appeal.save()
        assert client.get(leeds_appeal.get_absolute_url()).status_code == 404
        response = admin_client.get(leeds_appeal.get_absolute_url())
        assert response.status_code == 200
        assert "Draft: only staff can see this page." in response.content.decode()
        assert "no-store" in response["Cache-Control"]

    @pytest.mark.parametrize(
        "path", ["/appeals/no-such-appeal/", "/appeals/%00/", "/appeals/" + "x" * 5000 + "/"]
    )
    def test_unknown_slugs_are_404(self, client, path):
        assert client.get(path).status_code == 404

    def test_feed_is_advertised(self, client, leeds_appeal):
        page = Page(client.get(leeds_appeal.get_absolute_url()).content.decode())
        assert page.find_all(
            "link", rel="alternate", type="application/atom+xml", href="/appeals/updates.atom"
        )


class TestList:
    def test_open_then_upcoming_then_closed(self, client, today):
        AppealFactory(title="Closed One", closes_on=D(2022, 7, 1))
        AppealFactory(title="Upcoming One", launched_on=D(2022, 9, 1))
        AppealFactory(title="Open One")
        AppealFactory(title="Draft One", is_published=False)
        response = client.get(LIST)
        check_page(response)
        html = response.content.decode()
        positions = [html.index(t) for t in ("Open One", "Upcoming One", "Closed One")]
        assert positions == sorted(positions)
        assert "Draft One" not in html
        words = text(html)
        assert words.index("Open now") < words.index("Opening soon") < words.index("Closed Closed One")

    def test_each_card_carries_latest_figure_with_date_and_source(self, client, leeds_appeal):
        html = re.sub(r"\s+", " ", client.get(LIST).content.decode())
        card = re.search(r'<p class="appeal-card__figure">(.*?)</p>', html).group(1)
        assert (
            "More than £66,500" in card
            and 'datetime="2022-03-17"' in card
            and "Yorkshire Evening Post" in card
        )

    def test_filter_by_city(self, client, leeds_appeal):
        liverpool = CityFactory(name="Liverpool", slug="liverpool")
        AppealFactory(title="DEC Appeal").cities.add(liverpool)
        html = client.get(LIST, {"city": "liverpool"}).content.decode()
        assert "DEC Appeal" in html and "Leeds Together for Ukraine" not in html
        assert "<h1>\n      Appeals for Liverpool" in html or "Appeals for Liverpool" in html
        html = client.get(LIST, {"city": "leeds"}).content.decode()
        assert "DEC Appeal" not in html and "Leeds Together for Ukraine" in html

    @pytest.mark.parametrize(
        "params",
        [
            {"city": "atlantis"},
            {"city": "le\x00eds"},
            {"city": "x" * 100_000},
            {"city": "<script>alert(1)</script>"},
            {"page": "abc"},
            {"page": "99999"},
            {"page": "-1"},
            {"page": "\x00"},
            {"page": "9" * 100_000},
        ],
    )
    def test_bad_input_gives_a_normal_page(self, client, leeds_appeal, params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Leeds Together for Ukraine" in html
        assert "<script>alert" not in html
        if "city" in params:
            assert "Showing all appeals." in html

    def test_pagination(self, client, today):
        for i in range(25):
            AppealFactory(
                title=f"Numbered {i:02d}",
                slug=f"numbered-{i:02d}",
                launched_on=D(2022, 1, 1) + datetime.timedelta(days=i),
            )
        first = client.get(LIST).content.decode()
        second = client.get(LIST, {"page": "2"}).content.decode()
        assert first.count('appeal-card"') == 20 and second.count('appeal-card"') == 5
        assert "Page 1 of 2" in first and "?page=2" in first

    def test_feed_is_advertised(self, client):
        page = Page(client.get(LIST).content.decode())
        assert page.find_all(
            "link", rel="alternate", type="application/atom+xml", href="/appeals/updates.atom"
        )

    def test_nav_has_appeals(self, client):
        response = client.get(reverse("home"))
        assert 'href="/appeals/"' in response.content.decode()
        response = client.get(LIST)
        assert Page(response.content.decode()).find_all("a", href="/appeals/", **{"aria-current": "page"})


class TestFeed:
    def test_atom_feed_of_published_updates(self, client, leeds_appeal):
        source = SourceFactory(publisher="Yorkshire Evening Post", title="Vans report")
        update = AppealUpdateFactory(
            appeal=leeds_appeal, title="The vans left", body="Rob Burrow <waved>", sources=[source]
        )
        AppealUpdateFactory(appeal=leeds_appeal, title="Secret", is_published=False)
        AppealUpdateFactory(appeal=AppealFactory(is_published=False), title="Of a draft")
        response = client.get("/appeals/updates.atom")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        xml = response.content.decode()
        assert "Leeds Together for Ukraine: The vans left" in xml
        assert f"/appeals/leeds-together-for-ukraine/#update-{update.pk}" in xml
        assert "Yorkshire Evening Post" in xml
        assert "<waved>" not in xml
        assert "Secret" not in xml and "Of a draft" not in xml


class TestOpenAppealsPartial:
    def test_partial_lists_open_appeals(self, leeds_appeal, today, django_assert_num_queries):
        leeds = leeds_appeal.cities.get()
        with django_assert_num_queries(3):
            html = render_to_string(
                "appeals/includes/_open_appeals.html",
                {"open_appeals": Appeal.objects.open_for_city(leeds, today)},
            )
        assert "Appeals you can give to" in html and "Leeds Together for Ukraine" in html
        assert "More than £66,500" in html
        Page(html)

    def test_partial_renders_nothing_without_appeals(self):
        assert render_to_string("appeals/includes/_open_appeals.html", {"open_appeals": []}).strip() == ""

    def test_for_link(self, leeds_appeal, today):
        link = leeds_appeal.links.get()
        assert list(Appeal.objects.open_for_link(link, today)) == [leeds_appeal]


def make_appeals(n, figures_each):
    city = (
        CityFactory(slug="leeds")
        if not CityFactory._meta.model.objects.filter(slug="leeds").exists()
        else None
    )
    source = SourceFactory()
    for i in range(n):
        appeal = AppealFactory(launched_on=D(2022, 1, 1) + datetime.timedelta(days=i % 200))
        if city:
            appeal.cities.add(city)
        DonationRouteFactory(appeal=appeal)
        for j in range(figures_each):
            RaisedFigureFactory(
                appeal=appeal,
                source=source,
                as_of=D(2022, 3, 1) + datetime.timedelta(days=j),
                amount=Decimal(j),
            )


class TestQueryCounts:
    """The same maximum at small and large data: no query per appeal, figure or update."""

    LIST_MAX = 5
    DETAIL_MAX = 8

    @pytest.mark.parametrize(("n", "figures_each"), [(3, 2), (200, 5)])
    def test_list(self, client, today, django_assert_max_num_queries, n, figures_each):
        make_appeals(n, figures_each)
        with django_assert_max_num_queries(self.LIST_MAX):
            response = client.get(LIST)
        assert response.status_code == 200
        with django_assert_max_num_queries(self.LIST_MAX):
            assert client.get(LIST, {"city": "leeds", "page": "2"}).status_code == 200

    @pytest.mark.parametrize(("figures", "updates", "routes"), [(1, 1, 1), (60, 40, 8)])
    def test_detail(self, client, today, django_assert_max_num_queries, figures, updates, routes):
        appeal = AppealFactory()
        appeal.cities.add(CityFactory(), CityFactory())
        appeal.links.add(LinkFactory(), LinkFactory())
        for i in range(figures):
            RaisedFigureFactory(appeal=appeal, as_of=D(2022, 1, 1) + datetime.timedelta(days=i))
        for i in range(updates):
            AppealUpdateFactory(
                appeal=appeal, date=D(2022, 1, 1) + datetime.timedelta(days=i), conflicts_with=None
            )
        for _ in range(routes):
            DonationRouteFactory(appeal=appeal)
        for _ in range(3):
            s = Statement.objects.create(
                quote="Q", speaker=PersonFactory(), date=D(2022, 3, 8), appeal=appeal, is_published=True
            )
            s.sources.add(SourceFactory())
        with django_assert_max_num_queries(self.DETAIL_MAX):
            response = client.get(appeal.get_absolute_url())
        assert response.status_code == 200
        check_page(response)

    @pytest.mark.parametrize("updates", [2, 80])
    def test_feed(self, client, today, django_assert_max_num_queries, updates):
        appeal = AppealFactory()
        for i in range(updates):
            AppealUpdateFactory(appeal=appeal, date=D(2022, 1, 1) + datetime.timedelta(days=i))
        with django_assert_max_num_queries(2):
            assert client.get("/appeals/updates.atom").status_code == 200

    def test_closed_redirect_page(self, client, today, django_assert_max_num_queries):
        route = DonationRouteFactory(appeal=AppealFactory(closed_early=True, give_instead=AppealFactory()))
        with django_assert_max_num_queries(1):
            assert client.get(route.get_absolute_url()).status_code == 410

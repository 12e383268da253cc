"""Staff edit an appeal, its routes, figures and updates on one page; bad input gets a message."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from appeals.models import Appeal, DonationClick, DonationRoute, RaisedFigure
from tests.factories import AppealFactory, DonationRouteFactory, RaisedFigureFactory, SourceFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/appeals/appeal/add/"
CHANGELIST = "/admin/appeals/appeal/"


def form_data(source, **overrides):
    data = {
        "title": "Leeds Together for Ukraine",
        "slug": "leeds-together-for-ukraine",
        "summary": "Support for refugees.",
        "description": "",
        "kind": "money",
        "is_published": "on",
        "organiser": "Leeds City Council",
        "administering_charity": "Leeds Community Foundation",
        "charity_number": "",
        "charity_register_url": "",
        "sponsor": "",
        "beneficiaries": "",
        "use_of_funds": "",
        "launched_on": "2022-03-08",
        "launched_on_precision": "day",
        "closes_on": "",
        "closing_note": "",
        "give_instead": "",
        "target_amount": "",
        "target_currency": "GBP",
        "routes-TOTAL_FORMS": "1",
        "routes-INITIAL_FORMS": "0",
        "routes-0-label": "JustGiving page",
        "routes-0-kind": "online",
        "routes-0-url": "https://www.justgiving.com/leeds",
        "routes-0-currency": "GBP",
        "routes-0-gift_aid": "unknown",
        "routes-0-sort_order": "0",
        "routes-0-details": "",
        "figures-TOTAL_FORMS": "1",
        "figures-INITIAL_FORMS": "0",
        "figures-0-as_of": "2022-03-17",
        "figures-0-as_of_precision": "day",
        "figures-0-part": "total",
        "figures-0-qualifier": "more_than",
        "figures-0-amount": "66500",
        "figures-0-currency": "GBP",
        "figures-0-in_words": "",
        "figures-0-source": str(source.pk),
        "figures-0-note": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


class TestEditing:
    def test_add_page_has_the_inlines(self, admin_client):
        html = admin_client.get(ADD).content.decode()
        for prefix in ("routes", "figures", "updates"):
            assert f'name="{prefix}-TOTAL_FORMS"' in html

    def test_valid_appeal_with_route_and_figure_is_saved(self, admin_client):
        response = admin_client.post(ADD, form_data(SourceFactory()))
        assert response.status_code == 302, response.content.decode()[:3000]
        appeal = Appeal.objects.get()
        assert appeal.routes.get().url == "https://www.justgiving.com/leeds"
        assert appeal.figures.get().amount == Decimal(66500)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("routes-0-url", "javascript:alert(1)", "starts with https://"),
            ("routes-0-url", "data:text/html,hello", "starts with https://"),
            ("routes-0-url", "http://www.justgiving.com/leeds", "starts with https://"),
            ("figures-0-amount", "-5", "An amount cannot be negative."),
            ("closes_on", "2022-03-01", "An appeal cannot close before it launches."),
            ("figures-0-as_of", "__tomorrow__", "This date is in the future"),
            ("charity_number", "1234567", "Add the link to the charity"),
        ],
    )
    def test_bad_input_gets_a_clear_message_not_a_500(self, admin_client, field, value, message):
        if value == "__tomorrow__":
            value = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        response = admin_client.post(ADD, form_data(SourceFactory(), **{field: value}))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Appeal.objects.exists()

    def test_route_without_scheme_is_taken_as_https(self, admin_client):
        response = admin_client.post(
            ADD, form_data(SourceFactory(), **{"routes-0-url": "www.justgiving.com/leeds"})
        )
        assert response.status_code == 302
        assert DonationRoute.objects.get().url == "https://www.justgiving.com/leeds"

    def test_change_page_shows_click_counts_read_only(self, admin_client, today):
        route = DonationRouteFactory()
        DonationClick.objects.create(route=route, day=today, count=7)
        DonationClick.objects.create(route=route, day=today - datetime.timedelta(days=90), count=5)
        response = admin_client.get(f"/admin/appeals/appeal/{route.appeal.pk}/change/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Clicks, all time" in html and ">12<" in html and ">7<" in html
        assert 'name="routes-0-click' not in html


class TestChangelist:
    def make(self, n, today):
        source = SourceFactory()
        for i in range(n):
            appeal = AppealFactory()
            route = DonationRouteFactory(appeal=appeal)
            DonationClick.objects.create(route=route, day=today, count=i + 1)
            for j in range(3):
                RaisedFigureFactory(
                    appeal=appeal,
                    source=source,
                    amount=Decimal(1000 * (j + 1)),
                    as_of=datetime.date(2022, 3, 1 + j),
                )

    @pytest.mark.parametrize("n", [3, 60])
    def test_latest_figure_and_clicks_without_n_plus_one(
        self, admin_client, today, django_assert_max_num_queries, n
    ):
        self.make(n, today)
        with django_assert_max_num_queries(12):
            response = admin_client.get(CHANGELIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "£3,000" in html  # the latest of 1,000 / 2,000 / 3,000
        assert "£6,000" not in html  # never a sum

    def test_filters(self, admin_client, today):
        broken = DonationRouteFactory(appeal=AppealFactory(title="Has Broken Link"))
        DonationRoute.objects.filter(pk=broken.pk).update(
            is_broken=True, checked_at=timezone.now(), check_status=404
        )
        DonationRouteFactory(appeal=AppealFactory(title="Healthy Appeal"))
        AppealFactory(title="Closed Appeal", closed_early=True)
        html = admin_client.get(CHANGELIST, {"routes": "broken"}).content.decode()
        assert "Has Broken Link" in html and "Healthy Appeal" not in html
        html = admin_client.get(CHANGELIST, {"status": "closed"}).content.decode()
        assert "Closed Appeal" in html and "Healthy Appeal" not in html
        html = admin_client.get(CHANGELIST, {"status": "open"}).content.decode()
        assert "Closed Appeal" not in html and "Healthy Appeal" in html

    def test_route_list_shows_broken_routes(self, admin_client):
        broken = DonationRouteFactory(label="Dead Page")
        DonationRoute.objects.filter(pk=broken.pk).update(
            is_broken=True, checked_at=timezone.now(), check_error="connection refused"
        )
        DonationRouteFactory(label="Live Page")
        html = admin_client.get("/admin/appeals/donationroute/", {"is_broken__exact": "1"}).content.decode()
        assert "Dead Page" in html and "connection refused" in html and "Live Page" not in html

    def test_search(self, admin_client):
        AppealFactory(title="Leeds Together", organiser="Leeds City Council")
        AppealFactory(title="DEC Appeal", organiser="Disasters Emergency Committee")
        html = admin_client.get(CHANGELIST, {"q": "Disasters"}).content.decode()
        assert "DEC Appeal" in html and "Leeds Together" not in html


def test_figures_are_never_summed_in_the_model():
    appeal = AppealFactory()
    RaisedFigureFactory(appeal=appeal, amount=Decimal(100))
    RaisedFigureFactory(
        appeal=appeal, amount=Decimal(5), part=RaisedFigure.Part.GIFT_AID, source=SourceFactory()
    )
    parts = Appeal.objects.for_detail().get(pk=appeal.pk).latest_by_part()
    assert [(f.part, f.amount) for f in parts] == [("total", Decimal(100)), ("gift_aid", Decimal(5))]

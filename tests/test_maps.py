"""The server-drawn maps: geometry, the city and network pages' SVG, accessibility, size."""

import gzip
import itertools
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships import maps
from partnerships.models import City, Link
from tests import factories as f
from tests.html_checks import assert_sound_html

LONDON, TOKYO = (-0.13, 51.51), (139.69, 35.69)
AUCKLAND, LOS_ANGELES = (174.76, -36.85), (-118.24, 34.05)

pytestmark = pytest.mark.django_db


def map_svg(response):
    """The map's <svg> element (not the legend's swatches)."""
    assert response.status_code == 200
    match = re.search(r'<svg class="map__svg".*?</svg>', response.content.decode(), re.S)
    assert match, "no map on the page"
    return match.group(0)


def lines(svg):
    return re.findall(r'<path class="map-link map-link--(\w+)" d="([^"]+)"', svg)


def circles(svg):
    return re.findall(
        r'<circle class="map-city[^"]*" cx="(-?\d+)" cy="(-?\d+)"[^>]*><title>([^<]*)</title>', svg
    )


def view_box(svg):
    return [int(n) for n in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()]


class TestGeometry:
    def test_the_box_holds_every_point_with_padding(self):
        points = [(-1.5, 53.8), (36.2, 50.0), (16.6, 49.2)]
        view = maps.fit(points)
        for lon, lat in points:
            assert view.contains(lon, lat)
            x, y = view.project(lon, lat)
            assert 0 < x < maps.WIDTH and 0 < y < view.height
        # Padding: no point on the edge.
        assert view.west < -1.5 - 1 and view.east > 36.2 + 1
        assert view.south < 49.2 - 0.5 and view.north > 53.8 + 0.5

    def test_a_lone_city_gets_some_country_around_it(self):
        view = maps.fit([(-1.5, 53.8)])
        assert view.north - view.south >= maps.MIN_SPAN
        assert view.contains(-1.5, 53.8)
        assert maps.MIN_ASPECT <= view.height / maps.WIDTH <= maps.MAX_ASPECT + 0.01

    def test_a_city_with_no_partner_yet_is_shown_in_its_region(self):
        """Its map says where it is: a region around it, not one country's land (MIN_SPAN)."""
        leeds = SimpleNamespace(
            name="Leeds", native_name="", longitude=Decimal("-1.55"), latitude=Decimal("53.8")
        )
        alone = maps.city_map(leeds, []).view
        assert alone.north - alone.south >= maps.LONE_CITY_SPAN
        assert alone.contains(-1.55, 53.8)
        kharkiv = (2, "Kharkiv", "Харків", Decimal("36.23"), Decimal("49.99"))
        linked = maps.city_map(leeds, [("active", kharkiv)]).view
        assert linked.north - linked.south < maps.LONE_CITY_SPAN  # fitted to the link, as before

    def test_aspect_ratio_stays_sensible_for_tall_and_wide_sets(self):
        for points in ([(10, 0), (10.5, 60)], [(-100, 40), (100, 41)]):
            view = maps.fit(points)
            assert maps.MIN_ASPECT - 0.01 <= view.height / maps.WIDTH <= maps.MAX_ASPECT + 0.01, points
            assert all(view.contains(*p) for p in points)

    def test_the_arc_ends_at_both_cities_and_bulges_towards_the_pole(self):
        arc = maps.great_circle(LONDON, TOKYO)
        assert arc[0] == pytest.approx(LONDON) and arc[-1] == pytest.approx(TOKYO)
        assert max(lat for _lon, lat in arc) > 65  # over Siberia, not along the 40s
        assert 30 < len(arc) <= 65

    def test_arcs_across_the_pacific_do_not_jump_across_the_map(self):
        arc = maps.great_circle(AUCKLAND, LOS_ANGELES)
        steps = [abs(b[0] - a[0]) for a, b in itertools.pairwise(arc)]
        assert max(steps) < 10
        assert arc[-1][0] == pytest.approx(LOS_ANGELES[0] + 360)

    def test_short_links_are_straight_and_antipodes_do_not_divide_by_zero(self):
        assert len(maps.great_circle((0, 50), (1, 50))) == 2
        assert len(maps.great_circle((0, 0), (180, 0))) == 2

    def test_clipping_keeps_what_is_inside_the_box(self):
        square = [(-10, -10), (10, -10), (10, 10), (-10, 10)]
        clipped = maps.clip(square, (0, 0, 20, 20))
        assert sorted(clipped) == sorted([(0, 0), (10, 0), (10, 10), (0, 10)])
        assert maps.clip(square, (50, 50, 60, 60)) == []

    def test_path_data_is_compact_and_relative(self):
        assert maps.path_data([(0.2, 0.4), (10.4, 5.6), (10.3, 5.9), (3, 9)]) == "M0 0l10 6-7 3"
        assert maps.path_data([(1, 1), (1.2, 1.1)]) == "M1 1l0 0"  # a dot, still drawn
        assert maps.path_data([(1, 1), (5, 1)], close=True) == ""  # not a ring

    def test_a_line_is_the_path_data_of_its_projected_points(self):
        # Viewport.line() projects and writes a line in one pass; it must say what the two
        # steps say, on the world and on a city's scale, across the antimeridian too.
        views = [maps.WORLD_VIEW, maps.fit([LONDON, (36.2, 50.0)]), maps.fit([AUCKLAND, (190, -17)])]
        for view, (start, end) in itertools.product(views, [(LONDON, TOKYO), (AUCKLAND, LOS_ANGELES)]):
            for step in (maps.NETWORK_ARC_STEP, 0.25):
                arc = maps.great_circle(start, end, step)
                assert view.line(arc) == maps.path_data([view.project(*p) for p in arc])
        assert maps.WORLD_VIEW.line([(0, 0), (0.1, 0)]) == "M400 187l0 0"  # a dot, still drawn

    def test_a_view_across_the_antimeridian_draws_land_on_both_sides(self):
        view = maps.fit([AUCKLAND, (LOS_ANGELES[0] + 360, LOS_ANGELES[1])])
        assert view.east > 180
        land = maps.land_path(view)
        assert land.count("M") > 3

    def test_every_status_has_a_pattern_not_only_a_colour(self):
        css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
        patterns = set()
        for style, _statuses, _label in maps.STYLES:
            rule = re.search(rf"\.map-link--{style} \{{([^}}]*)\}}", css).group(1)
            dash = re.search(r"stroke-dasharray: ([^;]+)", rule)
            width = re.search(r"stroke-width: ([^;]+)", rule)
            patterns.add((dash.group(1) if dash else "solid", width.group(1) if width else "2.5"))
        assert len(patterns) == len(maps.STYLES)
        statuses = {s for _style, group, _label in maps.STYLES for s in group}
        assert statuses == {*Link.Status.values, ""}


class TestOutlineData:
    def test_small_public_domain_and_sound(self):
        path = maps.OUTLINE_FILE
        assert path.stat().st_size < 100_000
        data = json.loads(path.read_text())
        assert "Natural Earth" in data["source"] and "Public domain" in data["licence"]
        rings = maps.outline()
        assert len(rings) > 100
        for (west, south, east, north), points in rings:
            assert west >= -180 and east <= 360 and -90 <= south <= north <= 90
            assert len(points) >= 3

    def test_the_world_is_drawn_once_and_small(self):
        land = maps.land_path(maps.WORLD_VIEW)
        assert land.count("M") > 80
        assert len(gzip.compress(land.encode())) < 8_000


class TestCityMap:
    def test_one_line_per_published_link_each_named(self, client, world):
        svg = map_svg(client.get(world.kharkiv.get_absolute_url()))
        drawn = lines(svg)
        # Leeds (under negotiation), Lille and Brno (active); the draft link to Odesa is not drawn.
        assert sorted(style for style, _d in drawn) == ["current", "current", "forming"]
        assert svg.count("<title>Kharkiv–") == 3
        assert "<title>Kharkiv–Leeds: under negotiation</title>" in svg
        names = sorted(name for _x, _y, name in circles(svg))
        assert names == ["Brno", "Kharkiv (Харків)", "Leeds", "Lille"]
        assert "Odesa" not in svg

    def test_zoomed_to_the_city_and_its_partners(self, client, world):
        svg = map_svg(client.get(world.kharkiv.get_absolute_url()))
        width, height = view_box(svg)
        for x, y, name in circles(svg):
            assert 0 < int(x) < width and 0 < int(y) < height, name
        # Europe fills the map: the partners are spread across it, not huddled in a corner.
        xs = [int(x) for x, _y, _name in circles(svg)]
        assert max(xs) - min(xs) > width / 2

    def test_accessible_name_and_description(self, client, world):
        response = client.get(world.kharkiv.get_absolute_url())
        svg = map_svg(response)
        assert 'role="img"' in svg and 'aria-labelledby="map-title map-desc"' in svg
        assert '<title id="map-title">Map of Kharkiv and its partner cities</title>' in svg
        assert re.search(r'<desc id="map-desc">\s*Kharkiv and its 3 partner cities', svg)
        assert_sound_html(response)  # also: no style attribute anywhere, ids unique

    def test_legend_in_words_and_the_credit(self, client, world):
        text = client.get(world.kharkiv.get_absolute_url()).content.decode()
        assert "Solid line: active or renewed" in text
        assert "Dashed line: proposed or under negotiation" in text
        assert "Dotted line" not in text  # only the styles on the map
        assert "Natural Earth (public domain)" in text

    def test_no_style_attributes_and_nothing_from_elsewhere(self, client, world):
        svg = map_svg(client.get(world.leeds.get_absolute_url()))
        assert "style=" not in svg
        assert "href" not in svg and "<script" not in svg and "<image" not in svg

    def test_a_city_without_links_shows_where_it_is(self, client, db):
        lonely = f.CityFactory(
            name="Lonely", slug="lonely", latitude=Decimal("48.5"), longitude=Decimal("2.1")
        )
        svg = map_svg(client.get(lonely.get_absolute_url()))
        assert lines(svg) == []
        assert [name for _x, _y, name in circles(svg)] == ["Lonely"]
        assert "None of its links has been published yet." in svg

    def test_a_link_across_the_pacific_is_drawn_across_the_pacific(self, client, db):
        auckland = f.CityFactory(
            name="Auckland", slug="auckland", latitude=Decimal("-36.85"), longitude=Decimal("174.76")
        )
        la = f.CityFactory(
            name="Los Angeles", slug="los-angeles", latitude=Decimal("34.05"), longitude=Decimal("-118.24")
        )
        f.LinkFactory(city_a=auckland, city_b=la)
        svg = map_svg(client.get(auckland.get_absolute_url()))
        width, _height = view_box(svg)
        (x1, _y1, _n1), (x2, _y2, _n2) = circles(svg)
        assert abs(int(x1) - int(x2)) < width  # both on the one map, the short way round
        assert len(lines(svg)) == 1


class TestNetworkMap:
    def test_one_line_per_published_link_and_the_table(self, client, world):
        response = client.get(reverse("partnerships:map"))
        svg = map_svg(response)
        assert len(lines(svg)) == 7  # the published links; the draft is not drawn
        assert len(circles(svg)) == 6
        text = response.content.decode()
        assert "7 links" in text
        for link in Link.objects.filter(is_published=True):
            assert f'href="{link.get_absolute_url()}"' in text
        assert "kharkiv-odesa" not in text
        assert "The map shows" not in text  # all of them are drawn
        assert_sound_html(response)

    def test_in_the_navigation(self, client, world):
        text = client.get(reverse("partnerships:map")).content.decode()
        assert '<a href="/map/" aria-current="page">Map</a>' in text
        assert reverse("partnerships:map") == "/map/"

    def test_staff_see_the_draft_too(self, staff_client, world):
        svg = map_svg(staff_client.get(reverse("partnerships:map")))
        assert len(lines(svg)) == 8

    def test_bad_page_numbers_are_404(self, client, world):
        for page in ["0", "99", "abc", "\x00", "9" * 5000]:
            assert client.get(reverse("partnerships:map"), {"page": page}).status_code == 404, page[:10]

    def test_an_empty_site_still_has_its_map(self, client, db):
        response = client.get(reverse("partnerships:map"))
        assert lines(map_svg(response)) == []
        assert "No partnership links have been published yet." in response.content.decode()


def many_links(n):
    """n published links from one hub to towns spread over the world, in bulk."""
    hub = City.objects.create(
        name="Hub", slug="hub", country="GB", latitude=Decimal(53), longitude=Decimal(-1)
    )
    towns = City.objects.bulk_create(
        City(
            name=f"Town {i}",
            slug=f"town-{i}",
            country="FR",
            latitude=Decimal((i * 7) % 120 - 50),
            longitude=Decimal((i * 37) % 360 - 180),
        )
        for i in range(n)
    )
    statuses = ["active", "ended", "proposed", "dormant", ""]
    Link.objects.bulk_create(
        Link(
            city_a=hub,
            city_b=t,
            slug=f"hub-{t.slug}",
            kind="twin_town",
            is_published=True,
            status=statuses[i % 5],
        )
        for i, t in enumerate(towns)
    )
    return SimpleNamespace(hub=hub)


@pytest.mark.parametrize("n", [10, 1200])
def test_query_count_and_size_do_not_grow_with_the_data(client, django_assert_max_num_queries, n):
    data = many_links(n)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("partnerships:map"))
    drawn = lines(map_svg(response))
    assert len(drawn) == min(n, maps.MAP_MAX_LINKS)
    if n > maps.MAP_MAX_LINKS:
        text = response.content.decode()
        assert f"The map shows {maps.MAP_MAX_LINKS} of the {n:,} links" in text
        # Current links are drawn first, ended ones last.
        assert "ended" not in {style for style, _d in drawn}
    # The page budget (50 KB compressed) with room to spare, even with links all over the world.
    assert len(gzip.compress(response.content)) < 35_000

    with django_assert_max_num_queries(10):
        response = client.get(data.hub.get_absolute_url())
    assert len(lines(map_svg(response))) == min(n, maps.MAP_MAX_LINKS)
    # The list's pages, within the links the map read and beyond them, list every link once.
    listed = []
    for page in range(1, (n - 1) // 50 + 2):
        text = client.get(data.hub.get_absolute_url(), {"page": page}).content.decode()
        listed += re.findall(r'href="/links/(hub-town-\d+)/"', text)
    assert len(listed) == len(set(listed)) == n


def test_every_status_has_one_place_in_the_map_order():
    grouped = [status for _style, statuses, _label in maps.STYLES for status in statuses]
    assert sorted(grouped) == sorted([*Link.Status.values, ""])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_network_map_reads_its_links_in_order_from_its_index(client):
    """The map takes its first 500 links in MAP_GROUPS order. The index is on the same
    expression as the query's order, so PostgreSQL walks it; a change to one and not the other
    leaves a sort of every published link (44 ms on 50,000), which this test sees."""
    many_links(60)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("partnerships:map"))
    (sql,) = [q["sql"] for q in captured.captured_queries if "LIMIT 500" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        for kind in ("sort", "seqscan", "bitmapscan", "incremental_sort"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using link_map_order on partnerships_link" in plan, plan
    assert "Sort" not in plan, plan

"""Maps the server draws as SVG: Natural Earth's land outline, links as great-circle arcs,
cities as dots. No tiles, no script, nothing from another origin.

Everything here is geometry on rows the view has already loaded: drawing a map makes no
database query. The projection is equirectangular (plate carrée for the whole world; for a
city's map the longitudes are scaled by the cosine of the middle latitude, so shapes near the
city are not stretched). Coordinates are rounded to whole units of a viewBox ``WIDTH`` wide,
about one screen pixel, and points closer together than that are dropped, which keeps a page's
map to a few kilobytes. See docs/adr/0030-server-drawn-svg-maps.md.
"""

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from math import acos, atan2, ceil, cos, degrees, hypot, radians, sin
from pathlib import Path
from typing import NamedTuple

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from partnerships.models import MAP_GROUPS, Link

OUTLINE_FILE = Path(__file__).resolve().parent / "data" / "world-110m.json"
WIDTH = 800
# The whole world without Antarctica's interior and the high Arctic: nobody twins there.
WORLD = (-180.0, -58.0, 180.0, 84.0)
MAX_LAT = 84.0
# A map draws at most this many links (the network map current ones first); the lists next to
# the maps have them all.
MAP_MAX_LINKS = 500
# On the whole world one point every 5 degrees of arc is smooth enough (about 11 units);
# a city's map, whatever its scale, gets a point about every SEGMENT units.
NETWORK_ARC_STEP = 5.0
SEGMENT = 10.0
# Arcs and their path data are kept in memory, keyed by their ends (and the view), for this
# many links: the network map and a few hubs (docs/adr/0066-render-cost-of-the-busiest-pages.md).
ARCS_KEPT = 4 * MAP_MAX_LINKS
# A city's map with more lines than this draws them without a tooltip each, like the network map.
TITLED_LINES = 50
# A city's map spans at least this many degrees of latitude, so a lone city or two
# neighbours are shown with some country around them.
MIN_SPAN = 6.0
# A city with no partner yet: its map says where it is, so it shows the region around it. At
# MIN_SPAN it was a square of one country's land with a blocky coast, saying nothing.
LONE_CITY_SPAN = 30.0
PADDING = 0.15
# Height / width of a city's map is kept between these.
MIN_ASPECT, MAX_ASPECT = 0.45, 0.8

# How each status is drawn, in the order the network map draws them (partnerships.models.MAP_GROUPS,
# which its index follows). The pattern tells the groups apart without relying on colour.
_LINE_STYLES = {
    ("active", "renewed"): ("current", _("solid line: active or renewed")),
    ("proposed", "under_negotiation"): ("forming", _("dashed line: proposed or under negotiation")),
    ("dormant", "suspended"): ("paused", _("dash-and-dot line: dormant or suspended")),
    ("ended",): ("ended", _("dotted line: ended")),
    ("",): ("unknown", _("thin line: status not yet recorded")),
}
STYLES = [(_LINE_STYLES[statuses][0], statuses, _LINE_STYLES[statuses][1]) for statuses in MAP_GROUPS]
STYLE_OF_STATUS = {status: style for style, statuses, _label in STYLES for status in statuses}
STATUS_LABELS = dict(Link.Status.choices)

# What a map reads of each link, for ``values_list()``: its status, then each city's id, names
# and coordinates. Plain tuples: a model instance per link and per city cost more than the map.
CITY_COLUMNS = ("id", "name", "native_name", "longitude", "latitude")
LINK_COLUMNS = ("status", *(f"{side}__{name}" for side in ("city_a", "city_b") for name in CITY_COLUMNS))


def style_for(status):
    return STYLE_OF_STATUS.get(status, "unknown")


@lru_cache(maxsize=1)
def outline():
    """The land rings as lists of (lon, lat) with each ring's bounding box."""
    data = json.loads(OUTLINE_FILE.read_text())
    rings = []
    for flat in data["rings"]:
        points = [(flat[i] / 10, flat[i + 1] / 10) for i in range(0, len(flat), 2)]
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        rings.append(((min(lons), min(lats), max(lons), max(lats)), points))
    return rings


@dataclass(frozen=True)
class Viewport:
    """A longitude/latitude box and its projection onto a viewBox ``WIDTH`` units wide.

    ``west`` and ``east`` may lie beyond ±180 when the box crosses the antimeridian.
    """

    west: float
    south: float
    east: float
    north: float
    kx: float = 1.0  # longitude scale: the cosine of the standard parallel

    @cached_property
    def scale(self):
        return WIDTH / ((self.east - self.west) * self.kx)

    @property
    def height(self):
        return max(1, round((self.north - self.south) * self.scale))

    def project(self, lon, lat):
        return ((lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale)

    def line(self, points):
        """``path_data()`` of ``points`` (lon, lat) projected, in one pass: a map of hundreds of
        arcs projects thousands of points, and a call per point cost more than its arithmetic."""
        west, north, kx, scale = self.west, self.north, self.kx, self.scale
        lon, lat = points[0]
        x = x0 = round((lon - west) * kx * scale)
        y = y0 = round((north - lat) * scale)
        steps = []
        for lon, lat in points[1:]:
            nx, ny = round((lon - west) * kx * scale), round((north - lat) * scale)
            if nx != x or ny != y:
                steps.append(f"{nx - x} {ny - y}")
                x, y = nx, ny
        return f"M{x0} {y0}l{' '.join(steps) or '0 0'}".replace(" -", "-")

    def contains(self, lon, lat):
        return self.west <= lon <= self.east and self.south <= lat <= self.north


WORLD_VIEW = Viewport(*WORLD)


def fit(points, min_span=MIN_SPAN):
    """The viewport that shows ``points`` (lon, lat; longitudes already unwrapped) with padding,
    at least ``min_span`` degrees tall and with a sensible aspect ratio."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    if east - west > 300:
        return WORLD_VIEW
    mid_lat = (south + north) / 2
    kx = max(cos(radians(mid_lat)), 0.2)
    # Padding on every side, and a minimum size around the middle.
    pad_lat = max((north - south) * PADDING, (min_span - (north - south)) / 2, 0)
    pad_lon = max((east - west) * PADDING, (min_span / kx - (east - west)) / 2, 0)
    west, east, south, north = west - pad_lon, east + pad_lon, south - pad_lat, north + pad_lat
    # Keep the map between MIN_ASPECT and MAX_ASPECT (height / width) by widening one way.
    width, height = (east - west) * kx, north - south
    if height / width > MAX_ASPECT:
        extra = (height / MAX_ASPECT / kx - (east - west)) / 2
        west, east = west - extra, east + extra
    elif height / width < MIN_ASPECT:
        extra = (width * MIN_ASPECT - height) / 2
        south, north = south - extra, north + extra
    south, north = max(south, -MAX_LAT), min(north, MAX_LAT)
    if east - west > 360:
        return WORLD_VIEW
    return Viewport(west, south, east, north, kx)


def _vector(lon, lat):
    """The unit vector of a point on the sphere."""
    lon, lat = radians(lon), radians(lat)
    return (cos(lat) * cos(lon), cos(lat) * sin(lon), sin(lat))


def great_circle(start, end, step=2.0):
    """Points along the shorter great-circle arc from ``start`` to ``end`` (lon, lat), with
    longitudes unwrapped so that the line never jumps across the map; one point per ``step``
    degrees of arc, at most 64. Short links and antipodes are straight lines."""
    x1, y1, z1 = _vector(*start)
    x2, y2, z2 = _vector(*end)
    dot = max(-1.0, min(1.0, sum((x1 * x2, y1 * y2, z1 * z2))))
    angle = acos(dot)
    steps = min(64, ceil(degrees(angle) / step))
    sin_angle = sin(angle)
    if steps < 2 or sin_angle < 1e-6:
        points = [start, end]
    else:
        points = []
        for i in range(steps + 1):
            t = i / steps
            a, b = sin((1 - t) * angle) / sin_angle, sin(t * angle) / sin_angle
            x, y, z = a * x1 + b * x2, a * y1 + b * y2, a * z1 + b * z2
            points.append((degrees(atan2(y, x)), degrees(atan2(z, hypot(x, y)))))
    unwrapped = [points[0]]
    previous = points[0][0]
    for lon, lat in points[1:]:
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
        previous = lon
    return unwrapped


@lru_cache(maxsize=ARCS_KEPT)
def _arc(start, end, step):
    """``great_circle()``, kept, with the corners of its bounding box (all ``fit()`` needs)."""
    points = tuple(great_circle(start, end, step))
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return points, (min(lons), min(lats)), (max(lons), max(lats))


@lru_cache(maxsize=ARCS_KEPT)
def _drawn_arc(view, start, end, step):
    """The path data of the arc from ``start`` to ``end`` on ``view``, and where it ends there
    (whole units): drawing a hub's map is mostly this, for hundreds of the same arcs."""
    points = _arc(start, end, step)[0]
    x, y = view.project(*points[-1])
    return _line_copies(view, points), round(x), round(y)


def path_data(projected, *, close=False):
    """SVG path data: the first point absolute, then relative steps, in whole units; steps
    that round to nothing are dropped."""
    x0, y0 = round(projected[0][0]), round(projected[0][1])
    parts = [f"M{x0} {y0}"]
    steps = []
    x, y = x0, y0
    for px, py in projected[1:]:
        nx, ny = round(px), round(py)
        if (nx, ny) != (x, y):
            steps.append(f"{nx - x} {ny - y}".replace(" -", "-"))
            x, y = nx, ny
    if close and len(steps) < 2:
        return ""
    parts.append("l" + (" ".join(steps) if steps else "0 0"))
    if close:
        parts.append("z")
    return "".join(parts).replace(" -", "-")


def clip(points, box):
    """Sutherland–Hodgman: the ring ``points`` clipped to ``box`` (west, south, east, north)."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda p, q: _at_lon(p, q, west)),
        (lambda p: p[0] <= east, lambda p, q: _at_lon(p, q, east)),
        (lambda p: p[1] >= south, lambda p, q: _at_lat(p, q, south)),
        (lambda p: p[1] <= north, lambda p, q: _at_lat(p, q, north)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _at_lon(p, q, lon):
    t = (lon - p[0]) / (q[0] - p[0])
    return (lon, p[1] + t * (q[1] - p[1]))


def _at_lat(p, q, lat):
    t = (lat - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), lat)


@lru_cache(maxsize=512)
def land_path(view):
    """The land inside ``view`` as one path, with copies across the antimeridian if needed."""
    box = (view.west, view.south, view.east, view.north)
    rings = []
    for offset in (-360, 0, 360):
        if view.east < -180 + offset or view.west > 180 + offset:
            continue
        for (w, s, e, n), points in outline():
            if e + offset < view.west or w + offset > view.east or n < view.south or s > view.north:
                continue
            shifted = [(lon + offset, lat) for lon, lat in points] if offset else points
            clipped = clip(shifted, box)
            if len(clipped) >= 3:
                d = path_data([view.project(*p) for p in clipped], close=True)
                if d:
                    rings.append(d)
    return "".join(rings)


class MapCity(NamedTuple):
    name: str
    x: int
    y: int
    current: bool = False


class MapLine(NamedTuple):
    style: str
    d: str
    title: str = ""


@dataclass
class Map:
    view: Viewport
    cities: list = field(default_factory=list)
    lines: list = field(default_factory=list)

    @property
    def width(self):
        return WIDTH

    @property
    def height(self):
        return self.view.height

    @property
    def land(self):
        return land_path(self.view)

    def lines_svg(self):
        """The <path> of every line: built here rather than in a template loop, and with plain
        string formatting rather than ``format_html()``, which on a map of hundreds of links
        cost more than drawing them. Styles and path data are made here and need no escaping."""
        return mark_safe(  # noqa: S308 - every piece of text is escaped
            "".join(
                f'<path class="map-link map-link--{style}" d="{d}">'
                f"{f'<title>{escape(title)}</title>' if title else ''}</path>"
                for style, d, title in self.lines
            )
        )

    def cities_svg(self):
        """The dot of every city, named by its <title>."""
        return mark_safe(  # noqa: S308 - every piece of text is escaped
            "".join(
                f'<circle class="map-city{" map-city--current" if current else ""}" cx="{x}" cy="{y}"'
                f' r="{6 if current else 4}"><title>{escape(name)}</title></circle>'
                for name, x, y, current in self.cities
            )
        )

    @property
    def legend(self):
        used = {line.style for line in self.lines}
        return [(style, label) for style, _statuses, label in STYLES if style in used]


def _coords(city):
    return float(city.longitude), float(city.latitude)


def _label(name, native_name):
    if native_name and native_name != name:
        return f"{name} ({native_name})"
    return name


def _line_copies(view, points):
    """Project an arc, adding a copy shifted by 360° when it runs off one side of the world."""
    copies = [points]
    if view == WORLD_VIEW:
        lons = [p[0] for p in points]
        if max(lons) > 180:
            copies.append([(lon - 360, lat) for lon, lat in points])
        if min(lons) < -180:
            copies.append([(lon + 360, lat) for lon, lat in points])
    return "".join(view.line(copy) for copy in copies)


def city_map(city, links):
    """The map of ``city`` and its partners: ``links`` are (status, partner) pairs, each partner
    its ``CITY_COLUMNS``.

    Partners' longitudes are taken within 180° of the city's, so a link across the Pacific is
    drawn across the Pacific and the view is fitted to the arcs themselves. At most
    ``MAP_MAX_LINKS`` links are drawn (the page lists them all). A map with more than
    ``TITLED_LINES`` lines gives its lines no tooltip each (the dots still name the partners).
    """
    home = _coords(city)
    partners = []
    corners = [home]
    for status, (_pk, name, native_name, lon, lat) in links[:MAP_MAX_LINKS]:
        lon, lat = float(lon), float(lat)
        end = (lon + 360 * round((home[0] - lon) / 360), lat)
        partners.append((status, name, native_name, end))
        corners += _arc(home, end, NETWORK_ARC_STEP)[1:]
    # Fit the view to coarse arcs; draw them with about one point per SEGMENT units, which on a
    # map of a continent or less needs finer arcs (on the whole world the coarse ones will do).
    view = fit(corners, min_span=MIN_SPAN if partners else LONE_CITY_SPAN)
    step = min(max(SEGMENT / (view.scale * view.kx), 0.25), NETWORK_ARC_STEP)
    if step >= NETWORK_ARC_STEP / 2:
        step = NETWORK_ARC_STEP
    titled = len(partners) <= TITLED_LINES
    result = Map(view)
    for status, name, native_name, end in partners:
        d, x, y = _drawn_arc(view, home, end, step)
        title = ""
        if titled:
            label = STATUS_LABELS.get(status, status) or _("status not yet recorded")
            title = f"{city.name}–{name}: {label}"
        result.lines.append(MapLine(style_for(status), d, title))
        result.cities.append(MapCity(_label(name, native_name), x, y))
    x, y = view.project(*home)
    result.cities.append(MapCity(_label(city.name, city.native_name), round(x), round(y), current=True))
    return result


def network_map(rows):
    """The map of many links on the whole world; ``rows`` are their ``LINK_COLUMNS``.

    One line per link (without a tooltip each, to keep the page small); each city once.
    """
    view = WORLD_VIEW
    result = Map(view)
    cities = {}
    for row in rows:
        ends = []
        for pk, name, native_name, lon, lat in (row[1:6], row[6:]):
            lon, lat = float(lon), float(lat)
            ends.append((lon, lat))
            if pk not in cities:
                x, y = view.project(lon, lat)
                cities[pk] = MapCity(_label(name, native_name), round(x), round(y))
        d, _x, _y = _drawn_arc(view, *ends, NETWORK_ARC_STEP)
        result.lines.append(MapLine(style_for(row[0]), d))
    result.cities = sorted(cities.values(), key=lambda c: c.name)
    return result

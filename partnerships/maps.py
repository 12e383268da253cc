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
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

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
# A city's map with more lines than this draws them without a tooltip each, like the network map.
TITLED_LINES = 50
# A city's map spans at least this many degrees of latitude, so a lone city or two
# neighbours are shown with some country around them.
MIN_SPAN = 6.0
PADDING = 0.15
# Height / width of a city's map is kept between these.
MIN_ASPECT, MAX_ASPECT = 0.45, 0.8

# How each status is drawn. The pattern tells the groups apart without relying on colour.
STYLES = [
    ("current", ("active", "renewed"), _("solid line: active or renewed")),
    ("forming", ("proposed", "under_negotiation"), _("dashed line: proposed or under negotiation")),
    ("paused", ("dormant", "suspended"), _("dash-and-dot line: dormant or suspended")),
    ("ended", ("ended",), _("dotted line: ended")),
    ("unknown", ("",), _("thin line: status not yet recorded")),
]
STYLE_OF_STATUS = {status: style for style, statuses, _label in STYLES for status in statuses}


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

    @property
    def scale(self):
        return WIDTH / ((self.east - self.west) * self.kx)

    @property
    def height(self):
        return max(1, round((self.north - self.south) * self.scale))

    def project(self, lon, lat):
        return ((lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale)

    def contains(self, lon, lat):
        return self.west <= lon <= self.east and self.south <= lat <= self.north


WORLD_VIEW = Viewport(*WORLD)


def fit(points):
    """The viewport that shows ``points`` (lon, lat; longitudes already unwrapped) with padding,
    at least ``MIN_SPAN`` degrees tall and with a sensible aspect ratio."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    if east - west > 300:
        return WORLD_VIEW
    mid_lat = (south + north) / 2
    kx = max(math.cos(math.radians(mid_lat)), 0.2)
    # Padding on every side, and a minimum size around the middle.
    pad_lat = max((north - south) * PADDING, (MIN_SPAN - (north - south)) / 2, 0)
    pad_lon = max((east - west) * PADDING, (MIN_SPAN / kx - (east - west)) / 2, 0)
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


def great_circle(start, end, step=2.0):
    """Points along the shorter great-circle arc from ``start`` to ``end`` (lon, lat), with
    longitudes unwrapped so that the line never jumps across the map; one point per ``step``
    degrees of arc, at most 64. Short links and antipodes are straight lines."""
    (lon1, lat1), (lon2, lat2) = start, end

    def vector(lon, lat):
        lon, lat = math.radians(lon), math.radians(lat)
        return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))

    v1, v2 = vector(lon1, lat1), vector(lon2, lat2)
    dot = max(-1.0, min(1.0, sum(a * b for a, b in zip(v1, v2, strict=True))))
    angle = math.acos(dot)
    steps = min(64, math.ceil(math.degrees(angle) / step))
    if steps < 2 or math.sin(angle) < 1e-6:
        points = [start, end]
    else:
        points = []
        for i in range(steps + 1):
            t = i / steps
            a, b = math.sin((1 - t) * angle) / math.sin(angle), math.sin(t * angle) / math.sin(angle)
            x, y, z = (a * p + b * q for p, q in zip(v1, v2, strict=True))
            points.append((math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))))
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    return unwrapped


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


@dataclass
class MapCity:
    name: str
    x: float
    y: float
    current: bool = False


@dataclass
class MapLine:
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
        """The <path> of every line: built here rather than in a template loop, which costs
        several times as much on a map of hundreds of links."""
        return format_html_join(
            "",
            '<path class="map-link map-link--{}" d="{}">{}</path>',
            (
                (line.style, line.d, format_html("<title>{}</title>", line.title) if line.title else "")
                for line in self.lines
            ),
        )

    def cities_svg(self):
        """The dot of every city, named by its <title>."""
        return format_html_join(
            "",
            '<circle class="map-city{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle>',
            (
                (" map-city--current" if c.current else "", c.x, c.y, 6 if c.current else 4, c.name)
                for c in self.cities
            ),
        )

    @property
    def legend(self):
        used = {line.style for line in self.lines}
        return [(style, label) for style, _statuses, label in STYLES if style in used]


def _coords(city):
    return float(city.longitude), float(city.latitude)


def _city_label(city):
    if city.native_name and city.native_name != city.name:
        return f"{city.name} ({city.native_name})"
    return city.name


def _line_copies(view, points):
    """Project an arc, adding a copy shifted by 360° when it runs off one side of the world."""
    copies = [points]
    if view is WORLD_VIEW:
        lons = [p[0] for p in points]
        if max(lons) > 180:
            copies.append([(lon - 360, lat) for lon, lat in points])
        if min(lons) < -180:
            copies.append([(lon + 360, lat) for lon, lat in points])
    return "".join(path_data([view.project(*p) for p in copy]) for copy in copies)


def city_map(city, links):
    """The map of ``city`` and its partners: ``links`` have their cities loaded and a ``partner``.

    Partners' longitudes are taken within 180° of the city's, so a link across the Pacific is
    drawn across the Pacific and the view is fitted to the arcs themselves. At most
    ``MAP_MAX_LINKS`` links are drawn (the page lists them all). A map with more than
    ``TITLED_LINES`` lines gives its lines no tooltip each (the dots still name the partners).
    """
    home = _coords(city)
    arcs = []
    for link in links[:MAP_MAX_LINKS]:
        lon, lat = _coords(link.partner)
        end = (lon + 360 * round((home[0] - lon) / 360), lat)
        arcs.append((link, end, great_circle(home, end, NETWORK_ARC_STEP)))
    # Fit the view to coarse arcs; draw them with about one point per SEGMENT units, which on a
    # map of a continent or less needs finer arcs (on the whole world the coarse ones will do).
    view = fit([home, *(p for _link, _end, arc in arcs for p in arc)])
    step = min(max(SEGMENT / (view.scale * view.kx), 0.25), NETWORK_ARC_STEP)
    titled = len(arcs) <= TITLED_LINES
    result = Map(view)
    for link, end, arc in arcs:
        if step < NETWORK_ARC_STEP / 2:
            arc = great_circle(home, end, step)
        title = ""
        if titled:
            status = link.get_status_display() or _("status not yet recorded")
            title = f"{city.name}–{link.partner.name}: {status}"
        result.lines.append(MapLine(style_for(link.status), _line_copies(view, arc), title))
        x, y = view.project(*arc[-1])
        result.cities.append(MapCity(_city_label(link.partner), round(x), round(y)))
    x, y = view.project(*home)
    result.cities.append(MapCity(_city_label(city), round(x), round(y), current=True))
    return result


def network_map(links):
    """The map of many links on the whole world; ``links`` have their cities loaded.

    One line per link (without a tooltip each, to keep the page small); each city once.
    """
    view = WORLD_VIEW
    result = Map(view)
    cities = {}
    for link in links:
        a, b = _coords(link.city_a), _coords(link.city_b)
        arc = great_circle(a, b, NETWORK_ARC_STEP)
        result.lines.append(MapLine(style_for(link.status), _line_copies(view, arc)))
        for city, (lon, lat) in ((link.city_a, a), (link.city_b, b)):
            if city.pk not in cities:
                x, y = view.project(lon, lat)
                cities[city.pk] = MapCity(_city_label(city), round(x), round(y))
    result.cities = sorted(cities.values(), key=lambda c: c.name)
    return result

"""Convert Natural Earth's 1:110m land outline (TopoJSON) into the map's compact data file.

Run once, when the outline should change; the result is committed:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_world_outline.py package/land-110m.json partnerships/data/world-110m.json

The input is the ``land-110m.json`` of the ``world-atlas`` npm package (Natural Earth data,
public domain). The output holds the land's rings as flat lists of longitude, latitude pairs in
tenths of a degree (about 11 km, finer than the 1:110m outline itself), with consecutive
duplicates dropped. No dependencies: the TopoJSON decoding is the few lines below.
"""

import json
import sys
from pathlib import Path


def decode_arcs(topology):
    """Absolute longitude/latitude points of every arc (TopoJSON arcs are quantised deltas)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    """Join a ring's arcs; a negative index ~i means arc i reversed. Shared ends appear once."""
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    kind = geometry["type"]
    if kind == "GeometryCollection":
        for child in geometry["geometries"]:
            yield from polygons(child)
    elif kind == "Polygon":
        yield geometry["arcs"]
    elif kind == "MultiPolygon":
        yield from geometry["arcs"]


def unwrap(points):
    """Make a ring that crosses the antimeridian (Chukotka, Fiji) continuous: 179.5, 180.5
    rather than 179.5, -179.5. The map draws it again 360° to the west. A ring that goes
    round the whole globe (Antarctica) is left as it is."""
    result = [points[0]]
    for lon, lat in points[1:]:
        previous = result[-1][0]
        result.append((lon + 360 * round((previous - lon) / 360), lat))
    if abs(result[-1][0] - result[0][0]) > 1e-6:
        return points
    # Start the ring in the usual range: its westernmost point at or east of -180.
    shift = 360 if min(lon for lon, _lat in result) < -180 else 0
    return [(lon + shift, lat) for lon, lat in result]


def compact(points):
    """Flat [lon, lat, lon, lat, ...] in tenths of a degree, without repeated points."""
    flat, previous = [], None
    for lon, lat in points:
        point = (round(lon * 10), round(lat * 10))
        if point != previous:
            flat.extend(point)
            previous = point
    return flat


def build(topology):
    arcs = decode_arcs(topology)
    rings = []
    for geometry in topology["objects"].values():
        for polygon in polygons(geometry):
            for indexes in polygon:
                flat = compact(unwrap(ring(arcs, indexes)))
                if len(flat) >= 6:  # at least a triangle
                    rings.append(flat)
    return {
        "source": "Natural Earth 1:110m land, via the world-atlas npm package 2.0.2",
        "licence": "Public domain (Natural Earth: https://www.naturalearthdata.com/about/terms-of-use/)",
        "units": "tenths of a degree; each ring is [lon, lat, lon, lat, ...]; rings that cross "
        "the antimeridian run past 180",
        "rings": rings,
    }


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python scripts/build_world_outline.py land-110m.json output.json")
    topology = json.loads(Path(argv[1]).read_text())
    data = build(topology)
    Path(argv[2]).write_text(json.dumps(data, separators=(",", ":")) + "\n")
    points = sum(len(r) // 2 for r in data["rings"])
    print(f"{len(data['rings'])} rings, {points} points, {Path(argv[2]).stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)

"""The site's initial content: the cities, links, events, people and statements of the two
source reports and the sourced reference facts, each fact citing its source.

``load()`` creates what is missing and never changes or duplicates what is there, so it is
safe to run again, and against a production database where staff have since edited records.
"""

import datetime
from decimal import Decimal

from partnerships.dates import Precision
from partnerships.models import AlternativeClaim, City, CityName, Event, Link, Person, Role, Statement
from partnerships.sources import get_source

D, M, Y = Precision.DAY, Precision.MONTH, Precision.YEAR
Status = Link.Status
Kind = Link.Kind

# slug: name, native name, country, lat, lon, population, year, population note, description, sources
CITIES = {
    "leeds": (
        "Leeds",
        "Leeds",
        "GB",
        "53.79972",
        "-1.54917",
        812000,
        2021,
        "estimate, metropolitan borough",
        "A city in West Yorkshire, England. Its first twin city was Lille, in 1968.",
        ["wikipedia-infoboxes", "lille-city-site"],
    ),
    "kharkiv": (
        "Kharkiv",
        "Харків",
        "UA",
        "49.9925",
        "36.2311",
        1421125,
        2022,
        "",
        "Ukraine's second city, in the north east of the country. Since Russia's invasion in "
        "February 2022 it has faced continuous shelling, and around a third of its residents were "
        "evacuated from their homes.",
        ["wikipedia-infoboxes", "leeds-article"],
    ),
    "liverpool": (
        "Liverpool",
        "Liverpool",
        "GB",
        "53.4000",
        "-2.9830",
        498042,
        2019,
        "",
        "A port city in north west England, a member of the UNESCO Creative Cities network.",
        ["wikipedia-infoboxes", "liverpool-article"],
    ),
    "odesa": (
        "Odesa",
        "Одеса",
        "UA",
        "46.485722",
        "30.743444",
        1015826,
        2021,
        "estimate",
        "The third largest city in Ukraine: a Russian-speaking port city in the south west of the "
        "country, a member of the UNESCO Creative Cities network. In March 2022 President Volodymyr "
        "Zelensky had warned of possible attacks on the city by Russian forces.",
        ["wikipedia-infoboxes", "liverpool-article"],
    ),
    "lille": (
        "Lille",
        "Lille",
        "FR",
        "50.6278",
        "3.0583",
        232741,
        2015,
        "",
        "A city in northern France.",
        ["wikipedia-infoboxes"],
    ),
    "brno": (
        "Brno",
        "Brno",
        "CZ",
        "49.19250",
        "16.60833",
        400566,
        2024,
        "as of 1 January 2024",
        "The second largest city of the Czech Republic, in Moravia.",
        ["wikipedia-infoboxes"],
    ),
    # The five Russian cities whose links Kharkiv ended on 11 May 2022.
    "moscow": ("Moscow", "Москва", "RU", "55.7558", "37.6173", None, None, "", "", ["wikipedia-infoboxes"]),
    "saint-petersburg": (
        "Saint Petersburg",
        "Санкт-Петербург",
        "RU",
        "59.9375",
        "30.3086",
        None,
        None,
        "",
        "",
        ["wikipedia-infoboxes"],
    ),
    "belgorod": (
        "Belgorod",
        "Белгород",
        "RU",
        "50.5997",
        "36.5983",
        None,
        None,
        "",
        "",
        ["wikipedia-infoboxes"],
    ),
    "nizhny-novgorod": (
        "Nizhny Novgorod",
        "Нижний Новгород",
        "RU",
        "56.3269",
        "44.0059",
        None,
        None,
        "",
        "",
        ["wikipedia-infoboxes"],
    ),
    "novosibirsk": (
        "Novosibirsk",
        "Новосибирск",
        "RU",
        "55.0333",
        "82.9167",
        None,
        None,
        "",
        "",
        ["wikipedia-infoboxes"],
    ),
}

OTHER_NAMES = {
    "kharkiv": [
        ("Kharkov", CityName.Kind.OLDER, "Russian"),
        ("Charkiw", CityName.Kind.FOREIGN, "German"),
    ],
    "odesa": [
        ("Odessa", CityName.Kind.OLDER, "Russian"),
        ("Одесса", CityName.Kind.FOREIGN, "Russian"),
    ],
    "brno": [("Brünn", CityName.Kind.FOREIGN, "German")],
    "lille": [("Rijsel", CityName.Kind.FOREIGN, "Dutch")],
    "saint-petersburg": [("St Petersburg", CityName.Kind.TRANSLITERATION, "English")],
}

# slug: (city, city, kind, run by, summary, featured, sources)
LINKS = {
    "leeds-kharkiv": (
        "leeds",
        "kharkiv",
        Kind.FRIENDSHIP_OATH,
        "Leeds City Council and Kharkiv City Council",
        "A partnership proposed in 2022 as an expression of solidarity after Russia's invasion of "
        "Ukraine. A Friendship Oath was signed in December 2023; Leeds City Council says it marks "
        "the start of negotiations toward a fuller Friendship Agreement.",
        True,
        ["leeds-article"],
    ),
    "liverpool-odesa": (
        "liverpool",
        "odesa",
        Kind.FRIENDSHIP_LINK,
        "Liverpool City Council",
        "Liverpool's links with Odesa go back to 1957, formed as a way of developing trust during "
        "the Cold War. Sources differ on whether it is a twinning or a friendship link; Liverpool's "
        "mayor called them “friendship links” in 2022. Both cities are members of the UNESCO "
        "Creative Cities network.",
        True,
        ["liverpool-article"],
    ),
    "leeds-lille": (
        "leeds",
        "lille",
        Kind.TWIN_TOWN,
        "Leeds City Council and the City of Lille",
        "Leeds's first twin city, since 1968.",
        True,
        ["lille-city-site", "leeds-partner-cities"],
    ),
    "leeds-brno": (
        "leeds",
        "brno",
        Kind.MOU,
        "Leeds City Council and the City of Brno",
        "A memorandum of understanding of 2003, after links going back to the early 1990s, with an "
        "addendum signed in 2021.",
        False,
        ["leeds-partner-cities"],
    ),
    "kharkiv-lille": (
        "kharkiv",
        "lille",
        Kind.TWIN_TOWN,
        "Kharkiv City Council and the City of Lille",
        "Twinned in 1978; the link lay dormant and was reactivated after 2004.",
        False,
        ["lille-kharkiv-twinning", "leeds-article"],
    ),
    "kharkiv-brno": (
        "kharkiv",
        "brno",
        Kind.PARTNER_CITY,
        "Kharkiv City Council and the City of Brno",
        "Partner cities since a declaration of intent on cooperation; sources differ on the year.",
        False,
        ["kharkiv-city-site", "leeds-article"],
    ),
}
ENDED_RUSSIAN_LINKS = ["moscow", "saint-petersburg", "belgorod", "nizhny-novgorod", "novosibirsk"]

# link slug: [(date, precision, title, status, decided by, sources, [(claim, date, precision, sources)])]
EVENTS = {
    "leeds-kharkiv": [
        (
            datetime.date(2022, 6, 1),
            M,
            "Kharkiv approached Leeds about a partnership",
            "",
            "Kharkiv City Council",
            ["bbc-2022-07"],
            [],
        ),
        (
            datetime.date(2022, 7, 1),
            M,
            "Leeds councillors met and unanimously agreed to explore a partnership with Kharkiv",
            Status.PROPOSED,
            "Leeds City Council",
            ["leeds-article", "bbc-2022-07"],
            [],
        ),
        (
            datetime.date(2023, 12, 6),
            D,
            "Friendship Oath signed at the British Embassy in Prague by the Lord Mayor of Leeds, "
            "Al Garthwaite, and the First Deputy Mayor of Kharkiv, Oleksandr Novak; the council says "
            "it marks the start of negotiations toward a fuller Friendship Agreement",
            Status.UNDER_NEGOTIATION,
            "Leeds City Council and Kharkiv City Council",
            ["leeds-council-2023-12-06"],
            [
                (
                    "A BBC report of November 2023 calls Leeds “formally twinned” with Kharkiv.",
                    datetime.date(2023, 11, 1),
                    M,
                    ["bbc-2023-11"],
                )
            ],
        ),
    ],
    "liverpool-odesa": [
        (
            datetime.date(1957, 1, 1),
            Y,
            "Liverpool's links with Odesa began, instigated by MP and councillor Bessie Braddock as "
            "part of a policy of connecting with other cities in Eastern Europe following the Second "
            "World War (according to Liverpool City Council)",
            Status.ACTIVE,
            "Liverpool City Council",
            ["liverpool-article"],
            [],
        ),
        (
            datetime.date(2022, 3, 1),
            M,
            "The Ukrainian national flag flown from St George's Hall in Liverpool, in solidarity "
            "with the people of Ukraine",
            "",
            "Liverpool City Council",
            ["liverpool-article"],
            [],
        ),
        (
            datetime.date(2022, 3, 1),
            M,
            "The Lord Mayor of Liverpool, Mary Rasmussen, wrote to the Mayor of Odesa, Gennadiy "
            "Trukhanov, to tell him the Ukrainian flag was flying from St George's Hall",
            "",
            "Lord Mayor of Liverpool",
            ["liverpool-article"],
            [],
        ),
    ],
    "leeds-lille": [
        (
            datetime.date(1968, 1, 1),
            Y,
            "Leeds and Lille twinned, signed by the Mayor of Lille, Augustin Laurent, and the Lord "
            "Mayor of Leeds, John Rafferty: Leeds's first twin city",
            Status.ACTIVE,
            "Leeds City Council and the City of Lille",
            ["lille-city-site", "leeds-partner-cities"],
            [],
        ),
    ],
    "leeds-brno": [
        (
            datetime.date(2003, 1, 1),
            Y,
            "Memorandum of understanding signed, after links going back to the early 1990s",
            Status.ACTIVE,
            "Leeds City Council and the City of Brno",
            ["leeds-partner-cities"],
            [
                (
                    "A Leeds City Council page of 2023 dates the link from 1991.",
                    datetime.date(1991, 1, 1),
                    Y,
                    ["leeds-2023-brno"],
                )
            ],
        ),
        (
            datetime.date(2021, 11, 24),
            D,
            "Addendum to the memorandum of understanding signed",
            "",
            "Leeds City Council and the City of Brno",
            ["leeds-partner-cities"],
            [],
        ),
    ],
    "kharkiv-lille": [
        (
            datetime.date(1978, 1, 1),
            Y,
            "Kharkiv and Lille twinned",
            Status.ACTIVE,
            "",
            ["lille-kharkiv-twinning"],
            [],
        ),
        (
            datetime.date(2004, 1, 1),
            Y,
            "The twinning, dormant for years, was reactivated (sources say only “after 2004”)",
            Status.RENEWED,
            "",
            ["lille-kharkiv-twinning"],
            [],
        ),
        (
            datetime.date(2022, 4, 8),
            D,
            "Lille made Kharkiv an honorary citizen",
            "",
            "City of Lille",
            ["lille-honorary-citizen"],
            [],
        ),
    ],
    "kharkiv-brno": [
        (
            datetime.date(2005, 4, 12),
            D,
            "Declaration of intent on cooperation signed",
            Status.ACTIVE,
            "Kharkiv City Council and the City of Brno",
            ["kharkiv-city-site"],
            [
                (
                    "Czech Wikipedia gives 2007 as the start of the partnership.",
                    datetime.date(2007, 1, 1),
                    Y,
                    ["cs-wikipedia-brno"],
                )
            ],
        ),
    ],
}

for _other in ENDED_RUSSIAN_LINKS:
    LINKS[f"kharkiv-{_other}"] = (
        "kharkiv",
        _other,
        Kind.PARTNER_CITY,
        "Kharkiv City Council",
        "One of the five links with Russian cities that Kharkiv city council ended on 11 May 2022.",
        False,
        ["ukrainian-press-2022-05-11"],
    )
    EVENTS[f"kharkiv-{_other}"] = [
        (
            datetime.date(2022, 5, 11),
            D,
            "Kharkiv city council ended the link because of Russia's invasion of Ukraine",
            Status.ENDED,
            "Kharkiv City Council",
            ["ukrainian-press-2022-05-11"],
            [],
        )
    ]

# slug: (name, native name, born, died, description, [(role title, city slug, start, start precision, end, end precision)])
PEOPLE = {
    "james-lewis": (
        "James Lewis",
        "",
        None,
        None,
        "",
        [("Councillor, Leader of Leeds City Council", "leeds", None, Y, None, Y)],
    ),
    "ihor-terekhov": (
        "Ihor Terekhov",
        "Ігор Терехов",
        None,
        None,
        "The Leeds article misspells his name “Terekov”.",
        [("Mayor of Kharkiv", "kharkiv", None, Y, None, Y)],
    ),
    "oleksandr-novak": (
        "Oleksandr Novak",
        "Олександр Новак",
        None,
        None,
        "Leeds City Council spells his name “Oleksander”.",
        [("First Deputy Mayor of Kharkiv", "kharkiv", None, Y, None, Y)],
    ),
    "al-garthwaite": (
        "Al Garthwaite",
        "",
        None,
        None,
        "Alison Garthwaite.",
        [("Lord Mayor of Leeds", "leeds", datetime.date(2023, 1, 1), Y, datetime.date(2024, 1, 1), Y)],
    ),
    "joanne-anderson": (
        "Joanne Anderson",
        "",
        None,
        None,
        "",
        [("Mayor of Liverpool", "liverpool", None, Y, None, Y)],
    ),
    "mary-rasmussen": (
        "Mary Rasmussen",
        "",
        None,
        None,
        "",
        [("Councillor, Lord Mayor of Liverpool", "liverpool", None, Y, None, Y)],
    ),
    "gennadiy-trukhanov": (
        "Gennadiy Trukhanov",
        "Геннадій Труханов",
        None,
        None,
        "Also spelled Hennadiy Trukhanov. Once a member of a pro-Russian political party; in March "
        "2022 he was armed and ready to fight against Russia.",
        [("Mayor of Odesa", "odesa", None, Y, None, Y)],
    ),
    "bessie-braddock": (
        "Bessie Braddock",
        "",
        1899,
        1970,
        "Instigated Liverpool's link with Odesa in 1957.",
        [
            (
                "MP for Liverpool Exchange",
                "liverpool",
                datetime.date(1945, 1, 1),
                Y,
                datetime.date(1970, 1, 1),
                Y,
            ),
            (
                "Liverpool city councillor",
                "liverpool",
                datetime.date(1930, 1, 1),
                Y,
                datetime.date(1961, 1, 1),
                Y,
            ),
        ],
    ),
    "augustin-laurent": (
        "Augustin Laurent",
        "",
        None,
        None,
        "",
        [("Mayor of Lille", "lille", None, Y, None, Y)],
    ),
    "john-rafferty": (
        "John Rafferty",
        "",
        None,
        None,
        "",
        [("Lord Mayor of Leeds", "leeds", datetime.date(1968, 1, 1), Y, None, Y)],
    ),
    "volodymyr-zelensky": (
        "Volodymyr Zelensky",
        "Володимир Зеленський",
        None,
        None,
        "",
        [("President of Ukraine", None, None, Y, None, Y)],
    ),
}

# (speaker, role title, date, precision, about link slug, about city slug, context, quote, sources)
STATEMENTS = [
    (
        "james-lewis",
        "Councillor, Leader of Leeds City Council",
        datetime.date(2022, 7, 1),
        M,
        "leeds-kharkiv",
        None,
        "On the proposed partnership, after the councillors' meeting",
        "The people of Leeds have opened their hearts and homes to the citizens of Ukraine, who have "
        "faced unimaginable suffering and upheaval amid the devastating impact of a needless war.\n\n"
        "This new partnership between Kharkiv and Leeds would cement forever the relationship between "
        "our two cities, which has remarkably blossomed even in the face of so much suffering.\n\n"
        "It would also stand as a lasting symbol of peace, unity and co-operation for generations to come.",
        ["leeds-article"],
    ),
    (
        "ihor-terekhov",
        "Mayor of Kharkiv",
        datetime.date(2022, 7, 1),
        M,
        "leeds-kharkiv",
        None,
        "On the proposed partnership with Leeds",
        "We are proud to be reaching out across borders and boundaries to foster a new and special "
        "relationship with Leeds at this traumatic time for Ukraine.\n\n"
        "Both our cities have a unique heritage and history, which will last far beyond this conflict, "
        "and we look forward to sharing, growing and learning together for many decades to come.",
        ["leeds-article"],
    ),
    (
        "joanne-anderson",
        "Mayor of Liverpool",
        datetime.date(2022, 3, 1),
        M,
        "liverpool-odesa",
        None,
        "Reaching out to the people of Odesa, three weeks into the invasion",
        "We have all been shocked and appalled by the scenes coming from Ukraine over the last three weeks.\n\n"
        "The devastation wreaked on towns and cities across the country is heart breaking to watch, and "
        "we're especially concerned about Odesa, which has been a friend of Liverpool since the 1950s.\n\n"
        "Odesa has many similarities with Liverpool, including as a sea port, a city with magnificent "
        "architecture and with a shared interest as members of the UNESCO Creative Cities network.\n\n"
        "Our friendship links were first formed as a way of developing trust during the Cold War, and it "
        "is so sad that all of the progress that has been made over the intervening years is now at risk.\n\n"
        "Our thoughts are with the citizens of Odesa, and the people of Ukraine, whose lives are being "
        "devastated.\n\n"
        "We stand ready to offer help and support when the Government has in place its refugee scheme.",
        ["liverpool-article"],
    ),
    (
        "gennadiy-trukhanov",
        "Mayor of Odesa",
        datetime.date(2022, 3, 1),
        M,
        None,
        "odesa",
        "In an interview with The Telegraph, as reported in the Liverpool article",
        "I can tell you something about Odesa. We will fight until the end to protect every street and "
        "corner of the city.",
        ["liverpool-article"],
    ),
]


def _created(counts, key, created):
    counts[key] = counts.get(key, 0) + int(created)


def load():
    """Create the initial content that is missing. Returns how many of each were created."""
    counts = {}
    cities = {}
    for slug, (name, native, country, lat, lon, pop, year, note, description, source_keys) in CITIES.items():
        city, created = City.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "native_name": native,
                "country": country,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "population": pop,
                "population_year": year,
                "population_note": note,
                "population_source": get_source("wikipedia-infoboxes") if pop else None,
                "description": description,
            },
        )
        if created:
            city.sources.add(*(get_source(k) for k in source_keys))
        _created(counts, "cities", created)
        cities[slug] = city
    for slug, names in OTHER_NAMES.items():
        for name, kind, language in names:
            _, created = CityName.objects.get_or_create(
                city=cities[slug], name=name, defaults={"kind": kind, "language": language}
            )
            _created(counts, "other names", created)

    links = {}
    for slug, (a, b, kind, run_by, summary, featured, source_keys) in LINKS.items():
        links[slug] = _link(counts, slug, cities[a], cities[b], kind, run_by, summary, featured, source_keys)
    for slug, events in EVENTS.items():
        for order, (date, precision, title, status, decided_by, source_keys, alternatives) in enumerate(
            events
        ):
            event, created = Event.objects.get_or_create(
                link=links[slug],
                title=title,
                defaults={
                    "date": date,
                    "date_precision": precision,
                    "status": status,
                    "decided_by": decided_by,
                    "sort_order": order,
                    "is_published": True,
                },
            )
            _created(counts, "events", created)
            if created:
                event.sources.add(*(get_source(k) for k in source_keys))
            for claim, alt_date, alt_precision, alt_sources in alternatives:
                alternative, created = AlternativeClaim.objects.get_or_create(
                    event=event, claim=claim, defaults={"date": alt_date, "date_precision": alt_precision}
                )
                if created:
                    alternative.sources.add(*(get_source(k) for k in alt_sources))
                _created(counts, "alternative claims", created)

    roles = {}
    for slug, (name, native, born, died, description, role_rows) in PEOPLE.items():
        person, created = Person.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "native_name": native,
                "born_year": born,
                "died_year": died,
                "description": description,
            },
        )
        _created(counts, "people", created)
        for title, city_slug, start, start_p, end, end_p in role_rows:
            role, created = Role.objects.get_or_create(
                person=person,
                title=title,
                defaults={
                    "city": cities.get(city_slug),
                    "start": start,
                    "start_precision": start_p,
                    "end": end,
                    "end_precision": end_p,
                },
            )
            _created(counts, "roles", created)
            roles[(slug, title)] = role

    for speaker, role_title, date, precision, link_slug, city_slug, context, quote, source_keys in STATEMENTS:
        role = roles[(speaker, role_title)]
        statement, created = Statement.objects.get_or_create(
            speaker=role.person,
            quote=quote,
            defaults={
                "role": role,
                "date": date,
                "date_precision": precision,
                "link": links.get(link_slug),
                "city": cities.get(city_slug),
                "context": context,
                "is_published": True,
            },
        )
        if created:
            statement.sources.add(*(get_source(k) for k in source_keys))
        _created(counts, "statements", created)
    return counts


def _link(counts, slug, city_a, city_b, kind, run_by, summary, featured, source_keys):
    existing = (
        Link.objects.filter(slug=slug).first()
        or Link.objects.filter(
            city_a=min(city_a, city_b, key=lambda c: c.pk), city_b=max(city_a, city_b, key=lambda c: c.pk)
        ).first()
    )
    if existing:
        _created(counts, "links", False)
        return existing
    link = Link(
        city_a=city_a,
        city_b=city_b,
        slug=slug,
        kind=kind,
        run_by=run_by,
        summary=summary,
        is_featured=featured,
        is_published=True,
    )
    link.full_clean()
    link.save()
    link.sources.add(*(get_source(k) for k in source_keys))
    _created(counts, "links", True)
    return link

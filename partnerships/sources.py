"""The sources the initial content cites, by a short key.

Where a headline is known (the BBC's) it is the title; otherwise the title describes the
report in our words. Where our copy of a report does not carry
its headline or publication name, the title says so in ``note`` instead of inventing one, and no
URL is recorded that we have not seen: staff add it from the original.
"""

import datetime

from partnerships.dates import Precision

D = Precision.DAY
M = Precision.MONTH
Y = Precision.YEAR

# key: (title, publisher, url, published_on, precision, note)
SOURCES = {
    "leeds-article": (
        "Plans for Leeds to forge a new international partnership with Kharkiv discussed by Leeds City Council",
        "Leeds local news report",
        "",
        datetime.date(2022, 7, 1),
        M,
        "The source article for Leeds–Kharkiv. Our copy carries no headline or publication name; "
        "the title is taken from its opening sentence.",
    ),
    "liverpool-article": (
        "Report on Liverpool's solidarity with Odesa, its friend since 1957",
        "LiverpoolWorld",
        "",
        datetime.date(2022, 3, 15),
        D,
        "The source article for Liverpool–Odesa. Our copy carries no headline; the title is a summary.",
    ),
    "bbc-2022-07": (
        "Councillors back plan to twin Leeds with Kharkiv",
        "BBC News",
        "",
        datetime.date(2022, 7, 1),
        M,
        "",
    ),
    "bbc-2023-11": (
        "BBC report describing Leeds as formally twinned with Kharkiv",
        "BBC News",
        "",
        datetime.date(2023, 11, 1),
        M,
        "Conflicts with Leeds City Council's account of December 2023.",
    ),
    "leeds-council-2023-12-06": (
        "Council news on the Leeds–Kharkiv Friendship Oath",
        "Leeds City Council news",
        "",
        datetime.date(2023, 12, 6),
        D,
        "The council says the oath “marks the start of negotiations” toward a Friendship Agreement.",
    ),
    "leeds-partner-cities": (
        "Leeds's international partner cities (council web page)",
        "Leeds City Council",
        "",
        None,
        D,
        "The council's page about Leeds's international partner cities.",
    ),
    "leeds-2023-brno": (
        "Leeds City Council page of 2023 giving 1991 for the Leeds–Brno link",
        "Leeds City Council",
        "",
        datetime.date(2023, 1, 1),
        Y,
        "",
    ),
    "lille-city-site": (
        "Lille's twin and partner cities (city website)",
        "Ville de Lille",
        "",
        None,
        D,
        "Lille's page of its twin and partner cities.",
    ),
    "kharkiv-city-site": (
        "Kharkiv's partner cities (city website)",
        "Kharkiv City Council",
        "",
        None,
        D,
        "Kharkiv's page of its partner cities.",
    ),
    "cs-wikipedia-brno": (
        "Brno article, section on partner cities",
        "Czech Wikipedia",
        "",
        None,
        D,
        "Gives 2007 for the Kharkiv–Brno partnership.",
    ),
    "wikipedia-infoboxes": (
        "City infoboxes (coordinates and population)",
        "Wikipedia",
        "",
        None,
        D,
        "Coordinates (WGS84) and populations with the year they were counted.",
    ),
    "ukrainian-press-2022-05-11": (
        "Kharkiv city council ends its links with Moscow, St Petersburg, Belgorod, Nizhny Novgorod and Novosibirsk",
        "Ukrainian press",
        "",
        datetime.date(2022, 5, 11),
        D,
        "",
    ),
    "lille-honorary-citizen": (
        "Lille names Kharkiv an honorary citizen",
        "Ville de Lille",
        "",
        datetime.date(2022, 4, 8),
        D,
        "",
    ),
    "lille-kharkiv-twinning": (
        "Kharkiv–Lille twinning: twinned 1978, dormant, reactivated after 2004",
        "Ville de Lille",
        "",
        None,
        D,
        "",
    ),
    "yep-2022-03-17": (
        "Report on the Leeds Together for Ukraine appeal total, March 2022",
        "Yorkshire Evening Post",
        "",
        datetime.date(2022, 3, 17),
        D,
        "More than £66,500 from more than 120 donors.",
    ),
    "dec-2023-02-24": (
        "DEC statement one year after the Ukraine Humanitarian Appeal launched",
        "Disasters Emergency Committee",
        "",
        datetime.date(2023, 2, 24),
        D,
        "Over £400m raised after one year.",
    ),
    "dec-launch-2022-03-03": (
        "Launch of the DEC Ukraine Humanitarian Appeal",
        "Disasters Emergency Committee",
        "",
        datetime.date(2022, 3, 3),
        D,
        "UK Aid Match up to £20m at launch (later reports: £25m); £100m in 4 days.",
    ),
    "van-report-2022-04-14": (
        "Report of four or five vans of donations leaving Leeds for Ukraine",
        "Local news report",
        "",
        datetime.date(2022, 4, 14),
        D,
        "Conflicts with the Leeds article's account of two vans in March 2022.",
    ),
    "leeds-together-launch-2022-03-08": (
        "Launch of the Leeds Together for Ukraine appeal with £50,000 of council money",
        "Launch report (publisher to be confirmed)",
        "",
        datetime.date(2022, 3, 8),
        D,
        "Launched 8 March 2022 by Leeds City Council with £50,000, administered by Leeds Community "
        "Foundation. The report's own title, publisher and address are not recorded here.",
    ),
    "homes-for-ukraine": (
        "Website crashes as over 100,000 people sign-up to open their homes to Ukraine refugees in UK",
        "Related story linked from the Leeds article",
        "",
        datetime.date(2022, 3, 1),
        M,
        "",
    ),
}


def get_source(key):
    """The Source for ``key``, created if missing; an existing one (perhaps edited by staff) is kept."""
    from partnerships.models import Source

    title, publisher, url, published_on, precision, note = SOURCES[key]
    source, _ = Source.objects.get_or_create(
        title=title,
        publisher=publisher,
        defaults={
            "url": url,
            "published_on": published_on,
            "published_precision": precision,
            "note": note,
        },
    )
    return source

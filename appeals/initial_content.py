"""The appeals named in the two source articles and in the project's fact sheet.

Idempotent: each record is matched on its natural key (an appeal's slug; a route's appeal and
URL; a figure's appeal, kind, date and source; an update's appeal, date and headline) and
updated, never duplicated. Runs after partnerships.initial_content, whose cities and links it
relates the appeals to; a city or link that is missing is simply not related.

Nothing here is invented: no charity numbers (staff enter them from the register), no close
dates, and where an exact donation page address is not known the route goes to the platform's
home page and its label says so.
"""

import datetime
from decimal import Decimal

from appeals.models import Appeal, AppealUpdate, Currency, DonationRoute, RaisedFigure
from partnerships.dates import Precision
from partnerships.models import City, Link
from partnerships.sources import get_source

D = Precision.DAY
M = Precision.MONTH
TOTAL = RaisedFigure.Part.TOTAL
EXACT = RaisedFigure.Qualifier.EXACT
MORE_THAN = RaisedFigure.Qualifier.MORE_THAN

APPEALS = [
    {
        "slug": "leeds-together-for-ukraine",
        "title": "Leeds Together for Ukraine",
        "summary": (
            "Leeds City Council's official appeal to support Ukrainian refugees in Leeds, "
            "administered by Leeds Community Foundation."
        ),
        "description": (
            "Leeds City Council launched the appeal on 8 March 2022 with £50,000 of council money. "
            "Leeds Community Foundation administers it, and donations are made through a JustGiving "
            "campaign page. In July 2022 the council was still encouraging the city to get involved."
        ),
        "kind": Appeal.Kind.MONEY,
        "organiser": "Leeds City Council",
        "administering_charity": "Leeds Community Foundation",
        "beneficiaries": "Ukrainian refugees in Leeds, forced from their homes by the war.",
        "use_of_funds": "Support for Ukrainian refugees in Leeds.",
        "launched_on": datetime.date(2022, 3, 8),
        "launched_on_precision": D,
        "cities": ["leeds"],
        "links": ["leeds-kharkiv"],
        "sources": ["leeds-together-launch-2022-03-08", "leeds-article"],
        "routes": [
            {
                "url": "https://www.justgiving.com/",
                # The campaign page's own address is not in the sources: staff add it in the
                # admin. Until then the label tells the reader what to search for.
                "label": "JustGiving: search there for “Leeds Together for Ukraine”",
                "kind": DonationRoute.Kind.ONLINE,
            }
        ],
        "figures": [
            {
                "as_of": datetime.date(2022, 3, 8),
                "as_of_precision": D,
                "amount": Decimal("50000"),
                "qualifier": EXACT,
                "source": "leeds-together-launch-2022-03-08",
                "note": "Leeds City Council's own money, given at the launch.",
            },
            {
                "as_of": datetime.date(2022, 3, 17),
                "as_of_precision": D,
                "amount": Decimal("66500"),
                "qualifier": MORE_THAN,
                "source": "yep-2022-03-17",
                "note": "From more than 120 donors.",
            },
            {
                "as_of": datetime.date(2022, 7, 1),
                "as_of_precision": M,
                "amount": Decimal("140000"),
                "qualifier": MORE_THAN,
                "source": "leeds-article",
                "note": "BBC News reported the same figure in July 2022. Donations were still coming in.",
            },
        ],
        "updates": [
            {
                "key": "launch",
                "date": datetime.date(2022, 3, 8),
                "date_precision": D,
                "title": "Appeal launched with £50,000 from Leeds City Council",
                "body": (
                    "Leeds City Council launched Leeds Together for Ukraine with £50,000 of council "
                    "money. Leeds Community Foundation administers the appeal."
                ),
                "sources": ["leeds-together-launch-2022-03-08"],
            },
            {
                "key": "march-total",
                "date": datetime.date(2022, 3, 17),
                "date_precision": D,
                "title": "More than £66,500 raised from more than 120 donors",
                "body": "",
                "sources": ["yep-2022-03-17"],
            },
            {
                "key": "july-total",
                "date": datetime.date(2022, 7, 1),
                "date_precision": M,
                "title": "More than £140,000 raised, and donations still coming in",
                "body": (
                    "The council was still encouraging the city to get involved in the appeal while "
                    "it discussed a partnership with Kharkiv."
                ),
                "sources": ["leeds-article", "bbc-2022-07"],
            },
        ],
    },
    {
        "slug": "ukraine-aid-appeal",
        "title": "The Ukraine Aid Appeal",
        "summary": (
            "A Leeds appeal for donated goods, sponsored by the Leeds Charity Lunch, that took vans "
            "of donations to Ukraine in 2022."
        ),
        "description": (
            "In March 2022 the appeal took two vans of donated goods to Ukraine on a week-long trip; "
            "Leeds Rhinos legend Rob Burrow was at the send-off. Another report says four or five "
            "vans left Leeds on 14 April 2022: the sources differ, and both accounts are given here."
        ),
        "kind": Appeal.Kind.GOODS,
        "organiser": "",
        "administering_charity": "",
        "sponsor": "Leeds Charity Lunch",
        "beneficiaries": "People in Ukraine in need after the invasion.",
        "use_of_funds": "Donated goods, driven to Ukraine by van.",
        "launched_on": datetime.date(2022, 3, 1),
        "launched_on_precision": M,
        "cities": ["leeds"],
        "links": ["leeds-kharkiv"],
        "sources": ["leeds-article", "van-report-2022-04-14"],
        "routes": [],
        "figures": [
            {
                "as_of": datetime.date(2022, 3, 1),
                "as_of_precision": M,
                "amount": None,
                "in_words": "Two vans of donated goods taken to Ukraine",
                "qualifier": EXACT,
                "source": "leeds-article",
                "note": "Another report gives four or five vans on 14 April 2022.",
            },
            {
                "as_of": datetime.date(2022, 4, 14),
                "as_of_precision": D,
                "amount": None,
                "in_words": "Four or five vans of donations left Leeds for Ukraine",
                "qualifier": EXACT,
                "source": "van-report-2022-04-14",
                "note": "The Leeds article gives two vans in March 2022.",
            },
        ],
        "updates": [
            {
                "key": "two-vans",
                "date": datetime.date(2022, 3, 1),
                "date_precision": M,
                "title": "Two vans of donated goods set off for Ukraine, with Rob Burrow at the send-off",
                "body": (
                    "The Ukraine Aid Appeal, sponsored by the Leeds Charity Lunch, took two vans over to "
                    "Ukraine in a week-long trip. Leeds Rhinos legend Rob Burrow was at the send-off."
                ),
                "sources": ["leeds-article"],
                "conflicts_with": "four-or-five-vans",
            },
            {
                "key": "four-or-five-vans",
                "date": datetime.date(2022, 4, 14),
                "date_precision": D,
                "title": "Four or five vans of donations leave Leeds for Ukraine",
                "body": "",
                "sources": ["van-report-2022-04-14"],
                "conflicts_with": "two-vans",
            },
        ],
    },
    {
        "slug": "dec-ukraine-humanitarian-appeal",
        "title": "DEC Ukraine Humanitarian Appeal",
        "summary": (
            "The Disasters Emergency Committee's appeal for people affected by the war in Ukraine, "
            "launched on 3 March 2022. The Liverpool report on Odesa points readers to it."
        ),
        "description": (
            "The Disasters Emergency Committee launched its Ukraine Humanitarian Appeal on 3 March "
            "2022. The UK government matched public donations through UK Aid Match, up to £20m at "
            "launch (later reports say £25m). The appeal raised £100m in its first four days and "
            "more than £400m in its first year."
        ),
        "kind": Appeal.Kind.MONEY,
        "organiser": "Disasters Emergency Committee",
        "administering_charity": "Disasters Emergency Committee",
        "beneficiaries": "People fleeing or affected by the war in Ukraine.",
        "use_of_funds": "Humanitarian aid delivered by the DEC's member charities.",
        "launched_on": datetime.date(2022, 3, 3),
        "launched_on_precision": D,
        "cities": ["liverpool", "odesa"],
        "links": ["liverpool-odesa"],
        "sources": ["dec-launch-2022-03-03", "dec-2023-02-24", "liverpool-article"],
        "routes": [
            {
                "url": "https://www.dec.org.uk/appeal/ukraine-humanitarian-appeal",
                "label": "The DEC's Ukraine Humanitarian Appeal page",
                "kind": DonationRoute.Kind.ONLINE,
            }
        ],
        "figures": [
            {
                "as_of": datetime.date(2022, 3, 1),
                "as_of_precision": M,
                "amount": Decimal("100000000"),
                "qualifier": EXACT,
                "source": "dec-launch-2022-03-03",
                "note": "Raised in the first four days after the launch on 3 March 2022.",
            },
            {
                "as_of": datetime.date(2023, 2, 24),
                "as_of_precision": D,
                "amount": Decimal("400000000"),
                "qualifier": MORE_THAN,
                "source": "dec-2023-02-24",
                "note": "The DEC's total one year after the launch.",
            },
        ],
        "updates": [
            {
                "key": "launch",
                "date": datetime.date(2022, 3, 3),
                "date_precision": D,
                "title": "Appeal launched, with UK Aid Match",
                "body": (
                    "The UK government matched public donations up to £20m at the launch; later "
                    "reports give £25m. The appeal raised £100m in four days."
                ),
                "sources": ["dec-launch-2022-03-03"],
            },
            {
                "key": "one-year",
                "date": datetime.date(2023, 2, 24),
                "date_precision": D,
                "title": "More than £400m raised in the appeal's first year",
                "body": "",
                "sources": ["dec-2023-02-24"],
            },
        ],
    },
]


def load():
    counts = {"appeals": 0, "donation routes": 0, "raised figures": 0, "updates": 0}
    for data in APPEALS:
        appeal, _ = Appeal.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "title": data["title"],
                "summary": data["summary"],
                "description": data["description"],
                "kind": data["kind"],
                "organiser": data["organiser"],
                "administering_charity": data["administering_charity"],
                "sponsor": data.get("sponsor", ""),
                "beneficiaries": data["beneficiaries"],
                "use_of_funds": data["use_of_funds"],
                "launched_on": data["launched_on"],
                "launched_on_precision": data["launched_on_precision"],
                "is_published": True,
            },
        )
        appeal.full_clean()
        appeal.cities.add(*City.objects.filter(slug__in=data["cities"]))
        appeal.links.add(*Link.objects.filter(slug__in=data["links"]))
        appeal.sources.add(*(get_source(key) for key in data["sources"]))
        counts["appeals"] += 1

        for order, route in enumerate(data["routes"]):
            obj, _ = DonationRoute.objects.update_or_create(
                appeal=appeal,
                url=route["url"],
                defaults={
                    "label": route["label"],
                    "kind": route["kind"],
                    "currency": Currency.GBP,
                    "sort_order": order,
                },
            )
            obj.full_clean()
            counts["donation routes"] += 1

        for figure in data["figures"]:
            obj, _ = RaisedFigure.objects.update_or_create(
                appeal=appeal,
                part=TOTAL,
                as_of=figure["as_of"],
                source=get_source(figure["source"]),
                defaults={
                    "as_of_precision": figure["as_of_precision"],
                    "amount": figure["amount"],
                    "in_words": figure.get("in_words", ""),
                    "qualifier": figure["qualifier"],
                    "currency": Currency.GBP,
                    "note": figure["note"],
                },
            )
            obj.full_clean()
            counts["raised figures"] += 1

        updates = {}
        for update in data["updates"]:
            obj, _ = AppealUpdate.objects.update_or_create(
                appeal=appeal,
                date=update["date"],
                title=update["title"],
                defaults={
                    "date_precision": update["date_precision"],
                    "body": update["body"],
                    "is_published": True,
                },
            )
            obj.sources.set([get_source(key) for key in update["sources"]])
            updates[update["key"]] = obj
            counts["updates"] += 1
        for update in data["updates"]:
            if update.get("conflicts_with"):
                obj = updates[update["key"]]
                obj.conflicts_with = updates[update["conflicts_with"]]
                obj.save(update_fields=["conflicts_with"])
                obj.full_clean()
    return counts

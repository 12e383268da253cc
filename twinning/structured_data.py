"""schema.org descriptions of the site's records, as JSON-LD dictionaries.

A city is a Place with its coordinates, a statement a Quotation by a Person, an appeal a
Project with its organiser and a DonateAction, a person a Person. Every URL is absolute.
"""

from partnerships import dates
from partnerships.queries import sources_of

CONTEXT = "https://schema.org"


def _source(source):
    item = {
        "@type": "CreativeWork",
        "name": source.title,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    if source.url:
        item["url"] = source.url
    if source.published_on:
        item["datePublished"] = dates.machine(source.published_on, source.published_precision)
    return item


def place(city, absolute):
    names = [city.native_name] if city.native_name and city.native_name != city.name else []
    names += [other.name for other in city.other_names.all()]
    data = {
        "@context": CONTEXT,
        "@type": "Place",
        "name": city.name,
        "url": absolute(city.get_absolute_url()),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(city.latitude),
            "longitude": float(city.longitude),
        },
        "address": {"@type": "PostalAddress", "addressCountry": str(city.country)},
    }
    if names:
        data["alternateName"] = names
    if city.description:
        data["description"] = city.description
    if city.wikidata_id:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{city.wikidata_id}"
    return data


def person(someone, absolute):
    data = {
        "@context": CONTEXT,
        "@type": "Person",
        "name": someone.name,
        "url": absolute(someone.get_absolute_url()),
    }
    if someone.native_name:
        data["alternateName"] = someone.native_name
    if someone.description:
        data["description"] = someone.description
    return data


def quotation(statement, absolute):
    creator = {
        "@type": "Person",
        "name": statement.speaker.name,
        "url": absolute(statement.speaker.get_absolute_url()),
    }
    if statement.role:
        creator["jobTitle"] = statement.role.title
    data = {
        "@context": CONTEXT,
        "@type": "Quotation",
        "text": statement.quote,
        "inLanguage": statement.language,
        "creator": creator,
        "dateCreated": dates.machine(statement.date, statement.date_precision),
        "url": absolute(statement.get_absolute_url()),
        "citation": [_source(s) for s in sources_of(statement)],
    }
    about = statement.link or statement.city or statement.appeal
    if about is not None:
        # A link is named from the names kept on it: the statement's link is read without its cities.
        name = about.names if about is statement.link else str(about)
        data["about"] = {"@type": "Thing", "name": name, "url": absolute(about.get_absolute_url())}
    return data


def project(appeal, absolute):
    data = {
        "@context": CONTEXT,
        "@type": "Project",
        "name": appeal.title,
        "description": appeal.summary,
        "url": absolute(appeal.get_absolute_url()),
        "foundingDate": dates.machine(appeal.launched_on, appeal.launched_on_precision),
    }
    if appeal.organiser:
        data["founder"] = {"@type": "Organization", "name": appeal.organiser}
    if appeal.sponsor:
        data["sponsor"] = {"@type": "Organization", "name": appeal.sponsor}
    recipient = appeal.administering_charity or appeal.organiser
    if recipient:
        data["potentialAction"] = {
            "@type": "DonateAction",
            "recipient": {"@type": "Organization", "name": recipient},
        }
    return data

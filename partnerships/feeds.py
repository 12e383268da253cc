"""Atom feeds of what the public may see: the links' dated events, and statements."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.queries import SOURCES, Visibility, sources_of

FEED_LENGTH = 50


def _midday(day):
    """Midday on ``day`` in the site's time zone: the records are dated, not timed."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _with_sources(text, sources):
    cited = "; ".join(str(s) for s in sources)
    parts = [p for p in (text, f"{gettext('Sources')}: {cited}" if cited else "") if p]
    return linebreaks(escape("\n\n".join(parts)))


class LinkEventsFeed(Feed):
    """The latest published events of published links, newest first, with their sources."""

    feed_type = Atom1Feed
    title = _("Twinning: link events")
    subtitle = _("Dated steps in the histories of cities' partnerships, each with its sources.")

    def link(self):
        return reverse("partnerships:link-list")

    def items(self):
        return (
            Visibility(preview=False)
            .events()
            .select_related("link__city_a", "link__city_b")
            .prefetch_related(SOURCES)
            .order_by("-date", "-sort_order", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"{item.link}: {item.title}"

    def item_description(self, item):
        lines = [item.date_display]
        if item.status:
            lines.append(gettext("Status: %(status)s") % {"status": item.get_status_display()})
        if item.decided_by:
            lines.append(gettext("Decided by: %(body)s") % {"body": item.decided_by})
        if item.description:
            lines.append(item.description)
        return _with_sources("\n".join(lines), sources_of(item))

    def item_link(self, item):
        return f"{item.link.get_absolute_url()}#event-{item.pk}"

    def item_pubdate(self, item):
        return _midday(item.date)

    def item_updateddate(self, item):
        return _midday(item.date)


class StatementsFeed(Feed):
    """The latest published statements, newest first, with speaker, role and sources."""

    feed_type = Atom1Feed
    title = _("Twinning: statements")
    subtitle = _(
        "What mayors, councillors and others said about cities and their partnerships, with sources."
    )

    def link(self):
        return reverse("partnerships:statement-list")

    def items(self):
        return (
            Visibility(preview=False)
            .statements()
            .with_people()
            .prefetch_related(SOURCES)
            .order_by("-date", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return str(item)

    def item_description(self, item):
        lines = [f"“{item.quote}”"]
        if item.translation:
            lines.append(gettext("Translation: “%(text)s”") % {"text": item.translation})
        who = item.speaker.name + (f", {item.role.title}" if item.role else "")
        lines.append(f"{who}, {item.date_display}")
        return _with_sources("\n\n".join(lines), sources_of(item))

    def item_author_name(self, item):
        return item.speaker.name

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return _midday(item.date)

    def item_updateddate(self, item):
        return _midday(item.date)

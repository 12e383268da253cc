from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appeals.models import AppealUpdate
from partnerships.queries import SOURCES, sources_of

FEED_LENGTH = 50


class AppealUpdatesFeed(Feed):
    """The latest published updates of published appeals, newest first, with their sources."""

    feed_type = Atom1Feed
    title = _("Twinning: appeal updates")
    subtitle = _("Dated news on the donation appeals recorded on Twinning, each with its sources.")

    def link(self):
        return reverse("appeals:list")

    def items(self):
        return AppealUpdate.objects.for_feed().prefetch_related(SOURCES)[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.appeal.title}: {item.title}"

    def item_description(self, item):
        sources = "; ".join(str(s) for s in sources_of(item))
        text = item.body
        if sources:
            text = (
                f"{text}\n\n{gettext('Sources')}: {sources}" if text else f"{gettext('Sources')}: {sources}"
            )
        return linebreaks(escape(text))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_datetime

    def item_updateddate(self, item):
        return item.published_datetime

"""Numbered footnotes: each source listed once, numbered in the order the page first cites it.

A view walks its page in reading order and asks the collector for the references of each
thing it shows::

    notes = Footnotes()
    link.refs = notes.cite(sources_of(link))
    for event in events:
        event.refs = notes.cite(sources_of(event))

``notes`` is then the page's list of sources, and ``refs`` the numbers to print beside each claim.
"""

from dataclasses import dataclass

from partnerships import dates


@dataclass(frozen=True)
class Note:
    number: int
    source: object

    @property
    def anchor(self):
        return f"source-{self.number}"

    @property
    def published_display(self):
        return dates.display(self.source.published_on, self.source.published_precision)

    @property
    def published_machine(self):
        return dates.machine(self.source.published_on, self.source.published_precision)


class Footnotes:
    def __init__(self):
        self._by_key = {}

    def cite(self, sources):
        """Number the sources not cited before; return this claim's notes, by number, each once."""
        refs = {}
        for source in sources:
            key = source.pk
            if key not in self._by_key:
                self._by_key[key] = Note(len(self._by_key) + 1, source)
            refs[key] = self._by_key[key]
        return sorted(refs.values(), key=lambda note: note.number)

    def __iter__(self):
        return iter(self._by_key.values())

    def __len__(self):
        return len(self._by_key)

    def __bool__(self):
        return bool(self._by_key)

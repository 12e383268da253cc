"""Read an admin page's form as a browser would submit it, so tests post exactly what staff
would (hidden version token, inline management forms and all)."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self.select = None
        self.textarea = None
        self.options = []

    def _add(self, name, value):
        if name in self.data:
            existing = self.data[name]
            self.data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("id") == self.form_id or self.form_id is None):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file", "image"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
            self.options = []
        elif tag == "option" and self.select is not None and "selected" in a:
            self.options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            if multiple:
                self.data[name] = list(self.options)
            elif self.options:
                self.data[name] = self.options[0]
            self.select = None
        elif tag == "textarea":
            if self.textarea and self.data[self.textarea].startswith("\n"):
                self.data[self.textarea] = self.data[self.textarea][1:]
            self.textarea = None


def read_form(response, form_id=None):
    """The data the page's form (the admin's ``<model>_form``, or the first form) would post."""
    if form_id is None:
        model = response.context["opts"].model_name if response.context else None
        form_id = f"{model}_form" if model else None
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data

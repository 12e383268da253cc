"""The list pages' filters: GET forms whose choices come from the data, so nothing a reader
types is sent to the database unchecked: a value is used only once it matched a choice. They are drawn with crispy-forms'
GOV.UK pack and report errors with the same error summary as the site's other forms."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partnerships.models import Link
from twinning.text import fold

# A filter with more choices than this is a text box for a name rather than a <select>: on the
# benchmark's data the statements' speakers and cities made a page of 580 KB.
MAX_LISTED_CHOICES = 100


class FilterForm(forms.Form):
    """A GET form that filters a list; fields that do not validate are ignored, not fatal."""

    invalid_choice = _("That is not one of the choices. Choose one from the list.")
    error_summary_intro = _(
        "Some of the filters could not be used, so the list below ignores them. "
        "Correct the filters marked below and try again."
    )

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.error_messages["invalid_choice"] = self.invalid_choice
        self.helper = filter_form_helper()

    def usable(self):
        """The values that validated, ignoring empty ones (Django marks the others aria-invalid)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors and value not in ("", None)
        }


def filter_form_helper():
    """Fields only: the page's template draws the <form method="get"> and its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.form_method = "get"
    helper.label_size = Size.SMALL
    return helper


class LargeSelect(forms.Select):
    """A ``<select>`` whose options are written in Python rather than one template each.

    The same HTML as ``forms.Select`` (no option groups), but a list of thousands of speakers
    or cities renders in milliseconds instead of most of a second.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        # crispy-forms names the CSS class after the widget; keep the design system's class.
        classes = [c for c in final_attrs.get("class", "").split() if c != "largeselect"]
        final_attrs["class"] = " ".join(dict.fromkeys(["govuk-select", *classes]))
        selected = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in selected else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class NameField(forms.CharField):
    """One of many choices, typed: the choice's name in any case and with or without accents
    ("kharkiv", "Brünn"), or its value (the slug in links such as ``?city=leeds``). Cleans to
    the value; shows the name. Checked against the choices in memory, never the database."""

    def __init__(self, pairs, *, label, help_text):
        super().__init__(label=label, help_text=help_text, max_length=200, required=False)
        self.pairs = pairs

    @cached_property
    def names(self):
        return dict(self.pairs)

    @cached_property
    def values_by_name(self):
        """Worked out only when someone typed a name rather than followed a link."""
        found = {}
        for value, name in self.pairs:
            found.setdefault(fold(name), []).append(value)
        return found

    def clean(self, value):
        value = super().clean(value)
        if not value or value in self.names:
            return value
        matches = self.values_by_name.get(fold(value), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _("More than one has that name. Open the one you mean and follow its link here.")
            )
        raise ValidationError(_("Nothing here has that name. Check the spelling, or clear the filters."))

    def prepare_value(self, value):
        """The name of the choice the value stands for, as the reader would type it."""
        if value in self.names:
            return self.names[value]
        matches = self.values_by_name.get(fold(value), []) if value else []
        if len(matches) == 1:
            return self.names[matches[0]]
        # A refused value is shown again to be corrected, without NUL bytes and not at any length.
        return value.replace("\x00", "")[: self.max_length] if isinstance(value, str) else value


def _choices(empty_label, pairs):
    return [("", empty_label), *pairs]


def listed_or_typed(field, pairs, empty_label, hint):
    """The filter for one of ``pairs`` (value, name): ``field`` listing them, or past
    MAX_LISTED_CHOICES a NameField for the name, with ``hint`` saying so."""
    if len(pairs) > MAX_LISTED_CHOICES:
        return NameField(pairs, label=field.label, help_text=hint)
    field.choices = _choices(empty_label, pairs)
    return field


class CityFilterForm(FilterForm):
    country = forms.ChoiceField(label=_("Country"))
    status = forms.ChoiceField(
        label=_("Has a link that is"), choices=_choices(_("any status"), Link.Status.choices)
    )

    def __init__(self, data, *, country_codes=(), **kwargs):
        super().__init__(data, **kwargs)
        named = sorted(((code, countries.name(code)) for code in country_codes), key=lambda c: c[1])
        self.fields["country"].choices = _choices(_("any country"), named)


class LinkFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=_choices(_("any status"), Link.Status.choices))
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices(_("any kind"), Link.Kind.choices))


class StatementFilterForm(FilterForm):
    speaker = forms.ChoiceField(label=_("Speaker"), widget=LargeSelect)
    city = forms.ChoiceField(label=_("About the city or its links"), widget=LargeSelect)
    year = forms.ChoiceField(label=_("Year"), widget=LargeSelect)

    def __init__(self, data, *, speakers=(), cities=(), years=(), **kwargs):
        super().__init__(data, **kwargs)
        for name, pairs, anything, hint in (
            ("speaker", speakers, _("anyone"), _("Type the speaker's name.")),
            ("city", cities, _("any city"), _("Type the city's name.")),
        ):
            self.fields[name] = listed_or_typed(self.fields[name], pairs, anything, hint)
        self.fields["year"].choices = _choices(_("any year"), [(str(y), str(y)) for y in years])

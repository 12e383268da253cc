"""The list pages' filters: GET forms whose choices come from the data, so nothing a reader
types is ever echoed back or sent to the database unchecked. They are drawn with crispy-forms'
GOV.UK pack and report errors with the same error summary as the site's other forms."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partnerships.models import Link


class FilterForm(forms.Form):
    """A GET form that filters a list; fields that do not validate are ignored, not fatal."""

    invalid_choice = _("That is not one of the choices. Choose one from the list.")
    error_summary_intro = _(
        "Some of the filters could not be used, so the list below ignores them. "
        "Choose from the lists and try again."
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


def _choices(empty_label, pairs):
    return [("", empty_label), *pairs]


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
        self.fields["speaker"].choices = _choices(_("anyone"), speakers)
        self.fields["city"].choices = _choices(_("any city"), cities)
        self.fields["year"].choices = _choices(_("any year"), [(str(y), str(y)) for y in years])

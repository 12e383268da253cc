"""The public correction form: crispy-forms with the GOV.UK (gds) template pack.

Two checks against bots travel with the form. A honeypot field people never see (bots that fill
it are told their correction was sent, and nothing is saved), and a signed time stamp of when the
form was shown: a form sent back sooner than a person could fill it in, or with a stamp that is
missing, forged or over a day old, is shown again with a polite message. See
docs/adr/0041-corrections-bot-checks.md.
"""

import time

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Div, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from twinning.corrections.models import EMAIL_MAX, NAME_MAX, TEXT_MAX, URL_MAX, Correction, validate_web_url

TOKEN_SALT = "twinning.corrections.form-started"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX = 200


def issue_form_token(now=None):
    """A signed record of when the form was shown (seconds since the epoch)."""
    return signing.dumps(time.time() if now is None else now, salt=TOKEN_SALT)


def _form_age(token):
    """Seconds since the form was shown, or None when the stamp is missing or not ours."""
    try:
        started = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(started, int | float) or isinstance(started, bool):
        return None
    return time.time() - started


class WebURLField(forms.URLField):
    """A URL field that takes http and https addresses only (no javascript:, data:, ftp:)."""

    default_validators = [validate_web_url]


class MultilineField(forms.CharField):
    """Text from a <textarea>: line breaks arrive as CRLF but are counted (by the browser's
    maxlength) and stored as one character each."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class CorrectionForm(forms.Form):
    """What a reader says is wrong with a record. A plain form (not a ModelForm): every limit of
    the model is a field limit here too, and the database enforces them again on insert."""

    what_is_wrong = MultilineField(
        label=_("What is wrong?"),
        help_text=_("Quote or describe what the page says that is not right."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Say what is wrong on the page."),
            "max_length": _("Say what is wrong in %(limit_value)d characters or fewer."),
        },
    )
    what_is_right = MultilineField(
        label=_("What is right?"),
        help_text=_("What the page should say instead."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Say what is right."),
            "max_length": _("Say what is right in %(limit_value)d characters or fewer."),
        },
    )
    source_url = WebURLField(
        label=_("Where can we check this? (optional)"),
        help_text=_(
            "The address of a page that shows it: a council page, meeting minutes, a news report. "
            "If there is none, say in the box above how you know."
        ),
        required=False,
        max_length=URL_MAX,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input"}),
        error_messages={
            "invalid": validate_web_url.message,
            "max_length": _("Enter a web address of %(limit_value)d characters or fewer."),
        },
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Enter a name of %(limit_value)d characters or fewer.")},
    )
    email = forms.EmailField(
        label=_("Your email address (optional)"),
        help_text=_("Only if you would like a reply."),
        required=False,
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter an email address like name@example.org, or leave it empty."),
            "max_length": _("Enter an email address of %(limit_value)d characters or fewer."),
        },
    )
    # The honeypot: hidden from people (and screen readers) by the page, filled in by bots.
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, max_length=TOKEN_MAX, required=False)

    MODEL_FIELDS = ["what_is_wrong", "what_is_right", "source_url", "name", "email"]

    def __init__(self, *args, retention_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.caught_by_honeypot = False
        self.needs_new_token = False
        if not self.is_bound:
            self.initial["started"] = issue_form_token()
        privacy = ngettext(
            "We use your name and email address only to reply to you about this correction. "
            "We never publish them or pass them on, and we delete them %(days)d day after you send it.",
            "We use your name and email address only to reply to you about this correction. "
            "We never publish them or pass them on, and we delete them %(days)d days after you send it.",
            retention_days,
        ) % {"days": retention_days}
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field("what_is_wrong"),
            Field("what_is_right"),
            Field("source_url", autocomplete="url", spellcheck="false"),
            Fieldset(
                HTML(format_html('<p class="govuk-body" id="privacy-note">{}</p>', privacy)),
                Field("name"),
                Field("email"),
                legend=_("If you would like a reply"),
                legend_size=Size.MEDIUM,
            ),
            Div(
                Field("website", autocomplete="off", tabindex="-1"),
                css_class="hp-field",
                aria_hidden="true",
            ),
            Field("started"),
            Submit("send", _("Send correction")),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.caught_by_honeypot = True
        age = _form_age(cleaned.get("started") or "")
        if age is None or age > settings.CORRECTIONS_FORM_MAX_AGE:
            self.needs_new_token = True
            self.add_error(
                None,
                _(
                    "This form was open too long or could not be checked. Check what you wrote and send it again."
                ),
            )
        elif age < settings.CORRECTIONS_MIN_FILL_SECONDS:
            self.add_error(
                None,
                _("That was quicker than we expect a person to be. Check what you wrote and send it again."),
            )
        return cleaned

    def save(self, record):
        """Store the correction about ``record`` (call only when the form is valid)."""
        correction = Correction(**{name: self.cleaned_data[name] for name in self.MODEL_FIELDS})
        correction.set_record(record)
        correction.save()
        return correction

    def scrub_for_display(self):
        """Before showing a refused form again: no NUL characters (HTML cannot carry them) and
        nothing longer than its field takes (only a script can send more than the browser allows)."""
        data = self.data.copy()
        for name, field in self.fields.items():
            if name in data:
                limit = getattr(field, "max_length", None) or TOKEN_MAX
                data.setlist(name, [v.replace("\x00", "\ufffd")[:limit] for v in data.getlist(name)])
        self.data = data

    def renew_token(self):
        """Give the form shown again a fresh time stamp."""
        self.data = self.data.copy()
        self.data["started"] = issue_form_token()

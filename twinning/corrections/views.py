"""The public correction form for one city, link, statement or appeal, and its thank-you page.

Only records the reader may see take corrections (drafts are a 404 for the public). A sent form
redirects to a thank-you page, so reloading it does not send the correction twice.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from appeals.models import Appeal
from partnerships.models import City
from partnerships.queries import Visibility
from twinning.corrections import ratelimit
from twinning.corrections.forms import CorrectionForm
from twinning.corrections.models import CorrectionSettings, Kind, record_kind


def _record(request, kind, ref):
    """The record a correction is about, as this reader may see it, or a 404."""
    visible = Visibility(preview=request.user.is_staff)
    if kind == Kind.CITY:
        return get_object_or_404(City, slug=ref)
    if kind == Kind.LINK:
        return get_object_or_404(visible.links().with_cities(), slug=ref)
    if kind == Kind.STATEMENT:
        return get_object_or_404(visible.statements().select_related("speaker"), pk=ref)
    appeals = Appeal.objects.all() if request.user.is_staff else Appeal.objects.published()
    return get_object_or_404(appeals, slug=ref)


FORM_TEMPLATE = "corrections/correction_form.html"


def _page(request, template, *, kind, record, status=200, **context):
    context |= {"kind": kind, "kind_label": Kind(kind).label, "record": record}
    if "retention_days" not in context:
        context["retention_days"] = CorrectionSettings.load().retention_days
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def new_correction(request, kind, ref):
    record = _record(request, kind, ref)
    retention_days = CorrectionSettings.load().retention_days
    page = {"kind": kind, "record": record, "retention_days": retention_days}
    if request.method != "POST":
        form = CorrectionForm(retention_days=retention_days)
        return _page(request, FORM_TEMPLATE, form=form, **page)

    form = CorrectionForm(request.POST, retention_days=retention_days)
    valid = form.is_valid()
    if form.caught_by_honeypot:
        # Tell the bot it worked: nothing is saved or counted.
        return redirect(sent_url(record))
    if valid and ratelimit.limit_reached(request):
        form.add_error(None, _limit_message())
        form.scrub_for_display()
        return _page(request, FORM_TEMPLATE, status=429, form=form, **page)
    if not valid:
        form.scrub_for_display()
        if form.needs_new_token:
            form.renew_token()
        return _page(request, FORM_TEMPLATE, status=400, form=form, **page)
    form.save(record)
    ratelimit.count_submission(request)
    return redirect(sent_url(record))


@require_http_methods(["GET", "HEAD"])
def correction_sent(request, kind, ref):
    record = _record(request, kind, ref)
    return _page(
        request, "corrections/correction_sent.html", kind=kind, record=record, new_url=correction_url(record)
    )


def _limit_message():
    limit = settings.CORRECTIONS_RATE_LIMIT
    return ngettext(
        "We take %(limit)d correction an hour from one connection, and this one would be more. "
        "What you wrote is still in the form: please send it again in an hour.",
        "We take %(limit)d corrections an hour from one connection, and this one would be more. "
        "What you wrote is still in the form: please send it again in an hour.",
        limit,
    ) % {"limit": limit}


def _url(prefix, record):
    kind = record_kind(record)
    ref = record.pk if kind == Kind.STATEMENT else record.slug
    return reverse(f"corrections:{prefix}-{kind}", kwargs={"ref": ref})


def correction_url(record):
    """The address of the correction form for a city, link, statement or appeal."""
    return _url("new", record)


def sent_url(record):
    return _url("sent", record)

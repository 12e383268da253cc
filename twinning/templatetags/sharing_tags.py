"""JSON-LD data blocks for the pages: ``{% json_ld city %}``.

The JSON is made by json.dumps and escaped like Django's json_script (<, > and & as \\u
escapes), so nothing in the data can close the <script> element. A data block is not a
script: a Content-Security-Policy without 'unsafe-inline' does not block it.
"""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from appeals.models import Appeal
from partnerships.models import City, Person, Statement
from twinning import structured_data

register = template.Library()

_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
_BUILDERS = {
    City: structured_data.place,
    Statement: structured_data.quotation,
    Appeal: structured_data.project,
    Person: structured_data.person,
}


def dumps(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)


@register.simple_tag(takes_context=True)
def json_ld(context, obj):
    builder = _BUILDERS.get(type(obj))
    request = context.get("request")
    if builder is None or request is None:
        return ""
    data = builder(obj, request.build_absolute_uri)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(dumps(data)))  # noqa: S308

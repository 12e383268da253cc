"""A 405 (a POST to a page that only shows things) explains itself instead of answering with
an empty body, like the site's other error pages."""

from django.http import HttpResponseNotAllowed
from django.template import loader


class MethodNotAllowedPage:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content and request.method != "HEAD":
            response.content = loader.get_template("405.html").render(request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response

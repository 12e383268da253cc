"""Django's JSON serialisation, with times to the microsecond.

Django's JSON encoder cuts times to the millisecond, so a round trip would change every
``history_date``. This serialiser writes full ISO 8601 times; Django's own JSON deserialiser
reads them back exactly, so ``loaddata --format json`` loads the files.
"""

import datetime

from django.core.serializers.json import Deserializer as Deserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder

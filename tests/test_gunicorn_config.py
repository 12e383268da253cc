"""gunicorn.conf.py, as `make serve` and the benchmark load it."""

import gc
import runpy
import sys
from pathlib import Path

from django.template import engines

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_worker_loads_the_site_and_freezes_it():
    config = runpy.run_path(str(CONFIG))
    assert config["worker_class"] == "gthread"
    assert gc.get_freeze_count() == 0
    made_before = ["site"]  # stands for what the worker holds when the hook runs
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
        assert "twinning.urls" in sys.modules
        # The site's templates were compiled, and they too are out of a collection's reach.
        loader = engines["django"].engine.template_loaders[0]
        cached = loader.get_template_cache
        assert {"base.html", "home.html", "partnerships/link_detail.html"} <= set(cached)
        tracked = {id(obj) for obj in gc.get_objects()}
        assert id(cached["base.html"]) not in tracked
        assert id(made_before) not in tracked
    finally:
        gc.unfreeze()
    assert any(obj is made_before for obj in gc.get_objects())

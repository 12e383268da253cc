"""gunicorn.conf.py, as `make serve` and the benchmark load it."""

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_worker_freezes_what_it_loaded_at_start():
    config = runpy.run_path(str(CONFIG))
    assert config["worker_class"] == "gthread"
    assert gc.get_freeze_count() == 0
    loaded_before = ["site"]  # stands for the site's modules, loaded before the hook runs
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
        # A full collection no longer looks at what was loaded at start.
        assert not any(obj is loaded_before for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is loaded_before for obj in gc.get_objects())

"""The production configuration on a free local port, for `make audit` and `make screenshots`.

Like `make serve`: DEBUG off, static files collected and served by whitenoise, gunicorn. The
database is a throwaway SQLite file with the initial content, removed afterwards; the secret key
is random. Nothing here is used by the test suite itself.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# The pages `make audit` measures and `make screenshots` pictures.
MAIN_PAGES = {
    "home": "/",
    "city-kharkiv": "/cities/kharkiv/",
    "link-leeds-kharkiv": "/links/leeds-kharkiv/",
    "appeal-leeds-together-for-ukraine": "/appeals/leeds-together-for-ukraine/",
    "appeals": "/appeals/",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def production_server(workers=2):
    """Serve the site with its initial content; yields the base URL (http://127.0.0.1:<port>)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp}/audit.sqlite3",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "MEDIA_ROOT": f"{tmp}/media",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        env.pop("DJANGO_SETTINGS_MODULE", None)

        def manage(*args):
            subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=env, check=True)

        manage("migrate", "--noinput", "--verbosity", "0")
        manage("load_initial_content")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "twinning.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("gunicorn did not answer on /healthz")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)

"""Settings for pytest: the development defaults, so that a plain `pytest` from a developer's
shell runs like `make test` (which sets DEBUG=true itself).

DEBUG decides, at import, the demo accounts, the static-file storage and the secure cookies;
pytest-django loads the settings before any conftest.py, so this is the earliest place to set
it. An explicit DEBUG in the environment still wins. Tests of production behaviour start a
subprocess with DEBUG=false and ``socialquality.settings`` (tests/test_operations.py).
"""

import os

os.environ.setdefault("DEBUG", "true")

from socialquality.settings import *  # noqa: F403

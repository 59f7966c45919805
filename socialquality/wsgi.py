import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")
application = get_wsgi_application()

# A production start refuses to serve when every page would fail (static files not collected)
# and says loudly what is wrong (for example demo accounts in the database).
from operations.startup import freeze_startup_objects, production_start  # noqa: E402

production_start()
# Last: everything the start made lives as long as the worker (see the function).
freeze_startup_objects()

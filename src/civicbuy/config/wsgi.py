"""WSGI entry point used by gunicorn (`civicbuy serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbuy.config.settings")
application = get_wsgi_application()

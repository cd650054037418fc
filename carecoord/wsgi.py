"""WSGI entry point (gunicorn in production)."""
import os

from django.core.wsgi import get_wsgi_application

from carecoord.process import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecoord.settings.production")
application = get_wsgi_application()
freeze_startup_objects()

"""WSGI entry point (gunicorn in production)."""
import os

from django.core.wsgi import get_wsgi_application

from carecoord.process import prepare_server_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecoord.settings.production")
application = get_wsgi_application()
prepare_server_process()

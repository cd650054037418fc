"""The Celery application. Tasks take ids, call a service and are safe to run twice."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecoord.settings.dev")

app = Celery("carecoord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

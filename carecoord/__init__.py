"""carecoord: care coordination case management for California Medi-Cal programs."""
from .celery import app as celery_app

__all__ = ("celery_app",)

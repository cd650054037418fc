"""Local development: the embedded defaults (SQLite, filesystem broker), debug on."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

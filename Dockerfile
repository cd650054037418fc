# Production image: gunicorn for web, the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=carecoord.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home carecoord \
    && SECRET_KEY=build ALLOWED_HOSTS=build CACHE_URL=redis://build:6379/1 python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R carecoord /app/var
USER carecoord
EXPOSE 8000
CMD ["gunicorn", "carecoord.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]

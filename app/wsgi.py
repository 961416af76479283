"""The WSGI entry point for production servers: `gunicorn 'app.wsgi:server'`."""

from __future__ import annotations

from app.factory import create_app

server = create_app().server

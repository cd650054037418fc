"""The API docs page: Swagger UI from our own static files, under the site's strict CSP.

drf-spectacular's split view serves the start-up script as its own response
(``?script``) instead of inline; our template moves the page's few style rules
into a static stylesheet, so the page needs no inline script or style.
"""
from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "carecoord API"

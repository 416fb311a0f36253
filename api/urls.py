"""The public read-only JSON API. Each area's endpoints live in their own module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("", include("api.campaigns")),
    path("", include("api.tracker")),
]

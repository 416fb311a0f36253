from django.urls import path

from . import views, webhooks

app_name = "emails"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Only the configured provider's answers (emails.webhooks); anymail's other URLs are not mounted.
    path("anymail/<slug:esp>/tracking/", webhooks.tracking_webhook, name="tracking-webhook"),
]

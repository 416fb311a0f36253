from django.urls import include, path

from . import views, webhooks

app_name = "emails"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Before anymail's own URLs, so that Rally's stricter Postmark view answers this path.
    path(
        "anymail/postmark/tracking/",
        webhooks.PostmarkTrackingWebhookView.as_view(),
        name="postmark-tracking-webhook",
    ),
    path("anymail/", include("anymail.urls")),
]

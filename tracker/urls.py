"""/tracker/… (stable, docs/architecture.md): reviews, their timeline, developments, sources, feed, and following."""

from django.urls import path

from . import views
from .feeds import ReviewFeed

app_name = "tracker"

urlpatterns = [
    path("", views.index, name="index"),
    # Fixed first segments; review slugs can never take these names (models.RESERVED_SLUGS).
    path("follow/confirm/<str:token>/", views.confirm, name="follow-confirm"),
    path("unfollow/<str:token>/", views.unfollow, name="unfollow"),
    path("<slug:slug>/", views.review_detail, name="review"),
    path("<slug:slug>/preview/", views.review_preview, name="review-preview"),
    path("<slug:slug>/timeline/", views.timeline, name="timeline"),
    path("<slug:slug>/sources/", views.sources, name="sources"),
    path("<slug:slug>/methodology/", views.methodology, name="methodology"),
    path("<slug:slug>/feed/", ReviewFeed(), name="feed"),
    path("<slug:slug>/follow/", views.follow, name="follow"),
    path("<slug:slug>/follow/sent/", views.follow_sent, name="follow-sent"),
    path("<slug:slug>/unfollow/", views.unfollow_signed_in, name="unfollow-signed-in"),
    path("<slug:slug>/developments/<int:pk>/", views.development_detail, name="development-short"),
    path("<slug:slug>/developments/<int:pk>/preview/", views.development_preview, name="development-preview"),
    path(
        "<slug:slug>/developments/<int:pk>-<slug:development_slug>/",
        views.development_detail,
        name="development",
    ),
]

"""Rally's own account pages, beside allauth's under /accounts/."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("email/preferences/", views.EmailPreferencesView.as_view(), name="email-preferences"),
    path("data/", views.DataView.as_view(), name="data"),
    path("data/export/", views.DataExportView.as_view(), name="data-export"),
]

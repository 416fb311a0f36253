from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    # Share images (og:image), one per page and language: the language is in the path, whatever
    # the prefix, so crawlers, which send no cookie, get the page's own.
    path("campaigns/<slug:slug>/share/<slug:language>.png", views.campaign_share_image, name="campaign-share-image"),
    # Before act/<slug>/...: "confirm" and "withdraw" are reserved action slugs.
    path("act/confirm/<str:token>/", views.signature_confirm_view, name="signature-confirm"),
    path("act/withdraw/<str:token>/", views.signature_withdraw_view, name="signature-withdraw"),
    path("act/<slug:slug>/", views.action_detail, name="action-detail"),
    path("act/<slug:slug>/share/<slug:language>.png", views.action_share_image, name="action-share-image"),
    path("act/<slug:slug>/signatures/", views.action_signatures, name="action-signatures"),
    path("act/<slug:slug>/embed/", views.action_embed, name="action-embed"),
    path("act/<slug:slug>/mp/", views.action_mp_lookup, name="action-mp-lookup"),
    path("my/actions/", views.my_actions, name="my-actions"),
    path("my/actions/<int:signature_id>/withdraw/", views.my_action_withdraw, name="my-action-withdraw"),
]

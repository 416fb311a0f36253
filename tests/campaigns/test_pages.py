import re

import pytest

from campaigns.models import Campaign, Signature
from campaigns.selectors import SIGNATURES_PER_PAGE
from campaigns.services import count_change, counts_fold

from .factories import ActionFactory, CampaignFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_home_lists_live_campaigns_featured_first_with_their_actions(client):
    CampaignFactory(title="Ordinary campaign", position=0)
    featured = CampaignFactory(title="Featured campaign", featured=True, position=5)
    CampaignFactory(title="Draft campaign", status=Campaign.Status.DRAFT)
    CampaignFactory(title="Archived campaign", status=Campaign.Status.ARCHIVED)
    ActionFactory(campaign=featured, title="Open petition")
    ActionFactory(campaign=featured, title="Draft petition", status="draft")
    html = client.get("/").content.decode()
    assert html.index("Featured campaign") < html.index("Ordinary campaign")
    assert "Open petition" in html
    assert "Draft campaign" not in html and "Draft petition" not in html and "Archived campaign" not in html
    assert "style=" not in html


def test_home_shows_the_trackers_headline(client, action):
    from tests.tracker.factories import ReviewFactory

    review = ReviewFactory(title="Is the United States still a safe third country?")
    html = client.get("/").content.decode()
    assert review.title in html
    assert review.get_absolute_url() in html


def test_campaign_list_and_detail(client, action):
    assert action.title in client.get("/campaigns/").content.decode()
    html = client.get(f"/campaigns/{action.campaign.slug}/").content.decode()
    assert action.campaign.title in html and action.title in html
    assert client.get("/campaigns/nope/").status_code == 404
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    assert client.get(f"/campaigns/{draft.slug}/").status_code == 404
    archived = CampaignFactory(status=Campaign.Status.ARCHIVED)
    assert "has ended" in client.get(f"/campaigns/{archived.slug}/").content.decode()


def test_the_story_is_markdown_rendered_and_sanitised(client):
    campaign = CampaignFactory(
        story="## Why\n\n**Bold** and [a link](https://example.org).\n\n"
        '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
        '<p style="color:red" onclick="alert(4)">styled</p><iframe src="https://evil.example"></iframe>'
    )
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    story = html.split('class="campaign-story">')[1].split("</div>")[0]
    assert "<h2>Why</h2>" in story and "<strong>Bold</strong>" in story
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in story
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "<iframe", "<img"):
        assert bad not in story


def test_the_action_ask_is_sanitised_too(client):
    action = ActionFactory(ask="Sign <script>alert(1)</script> now")
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert "<script>alert" not in html


def test_action_page_has_open_graph_twitter_meta_and_plain_share_links(client, action, settings):
    settings.SITE_URL = "https://rally.example.org"
    html = client.get(f"/act/{action.slug}/", HTTP_HOST="testserver").content.decode()
    url = f"https://rally.example.org/en/act/{action.slug}/"
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<meta property="og:image" content="https://rally.example.org/en/act/{action.slug}/share/en.png?v=' in html
    assert f'<meta property="og:title" content="{action.title}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Frally.example.org%2Fen%2Fact%2F" in html
    assert "https://twitter.com/intent/tweet?" in html and "mailto:?subject=" in html
    # No third-party script: every script comes from this site.
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', html))


def test_share_links_never_use_the_host_header(client, action, settings):
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    html = client.get(f"/act/{action.slug}/", HTTP_HOST="evil.example").content.decode()
    assert "evil.example" not in html


def confirm_rows(action, rows):
    for row in rows:
        count_change(signature=row, delta=+1)
    counts_fold()


def test_signatures_page_lists_confirmed_newest_first_without_emails(client, action):
    SignatureFactory(action=action, first_name="Old", last_name="timer", email="old@example.org")
    SignatureFactory(action=action, first_name="New", last_name="comer", email="new@example.org", region="QC")
    SignatureFactory(action=action, first_name="Pending", status=Signature.Status.PENDING, confirmed_at=None)
    SignatureFactory(action=action, first_name="Withdrawn", status=Signature.Status.WITHDRAWN)
    html = client.get(f"/act/{action.slug}/signatures/").content.decode()
    assert html.index("New C., Quebec") < html.index("Old T., Ontario")
    assert "Pending" not in html and "Withdrawn" not in html
    assert "@example.org" not in html and "Pereira" not in html


def test_signatures_page_is_paginated(client, action):
    SignatureFactory.create_batch(SIGNATURES_PER_PAGE + 3, action=action)
    first = client.get(f"/act/{action.slug}/signatures/").content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get(f"/act/{action.slug}/signatures/?page=2").content.decode()
    assert second.count("Ana P., Ontario") == 3
    assert client.get(f"/act/{action.slug}/signatures/?page=abc").status_code == 200
    assert client.get(f"/act/{action.slug}/signatures/?page=999").status_code == 200


def test_signatures_page_breaks_down_by_province_and_country_with_an_svg_chart(client, action):
    rows = [
        *SignatureFactory.create_batch(3, action=action, region="ON", postal_code="K1A 0B1"),
        *SignatureFactory.create_batch(2, action=action, region="QC", postal_code="H2X 1Y4"),
        SignatureFactory(action=action, region="NU", postal_code="X0A 0H0"),
        *SignatureFactory.create_batch(2, action=action, country="US", region="", postal_code="20500"),
        SignatureFactory(action=action, country="", region="", postal_code=""),
    ]
    confirm_rows(action, rows)
    html = client.get(f"/act/{action.slug}/signatures/").content.decode()
    assert '<svg class="bar-chart"' in html
    widths = re.findall(r'<rect class="bar" x="\d+" y="\d+" width="(\d+)"', html)
    assert widths[:3] == ["400", "267", "133"]  # Ontario, Quebec, Nunavut, scaled to the largest
    assert re.search(r"<td>Ontario</td><td class=\"text-end\">3</td>", html)
    assert re.search(r"<td>Nunavut</td><td class=\"text-end\">1</td>", html)
    assert re.search(r"<td>Canada</td><td class=\"text-end\">6</td>", html)
    assert re.search(r"<td>United States of America</td><td class=\"text-end\">2</td>", html)
    assert re.search(r"<td>Not given</td><td class=\"text-end\">1</td>", html)
    assert "style=" not in html


def test_progress_bar_renders_without_inline_styles_and_caps_at_the_goal(client, action):
    action.goal = 2
    action.save()
    confirm_rows(action, SignatureFactory.create_batch(3, action=action))
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert '<progress class="action-progress-bar" max="2" value="3"' in html
    assert "of a goal of 2" in html
    assert "style=" not in html


def test_a_pledge_speaks_of_pledges(client):
    pledge = ActionFactory(kind="pledge", target="", title="Refugee? Migrant? Human Being.")
    html = client.get(f"/act/{pledge.slug}/").content.decode()
    assert "people have pledged" in html and "Take the pledge" in html and "To:" not in html


def test_pages_are_served_under_the_content_security_policy(client, action):
    response = client.get(f"/act/{action.slug}/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"

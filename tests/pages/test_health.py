import pytest

from tests.accounts.factories import UserFactory


def test_healthz_reports_database_and_eager_broker(client, db, settings):
    settings.REDIS_URL = ""  # the embedded default, also under make test-services
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "eager"
    assert set(body["outbox"]) == {"queued", "failed"}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from pages import views

    monkeypatch.setattr(views, "_database_status", lambda: "error")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


TOKEN = "monitoring-token-0123456789"


@pytest.fixture
def token(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return TOKEN


def test_the_public_gets_a_plain_answer_without_the_outbox(client, db, token):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(response.json()) == {"database", "broker"}
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"],
    ids=["wrong", "basic", "empty", "longer"],
)
def test_a_wrong_token_sees_no_outbox(client, db, token, authorization):
    assert "outbox" not in client.get("/healthz", headers={"authorization": authorization}).json()


def test_no_token_configured_means_no_token_opens_the_outbox(client, db, settings):
    settings.HEALTHZ_TOKEN = ""
    assert "outbox" not in client.get("/healthz", headers={"authorization": "Bearer "}).json()


def test_the_monitoring_token_and_staff_see_the_outbox(client, db, token):
    with_token = client.get("/healthz", headers={"authorization": f"Bearer {TOKEN}"}).json()
    assert with_token["outbox"] == {"queued": 0, "failed": 0}

    supporter = UserFactory()
    client.force_login(supporter)
    assert "outbox" not in client.get("/healthz").json()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/healthz").json()["outbox"] == {"queued": 0, "failed": 0}

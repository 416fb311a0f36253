def test_healthz_reports_database_and_eager_broker(client, db, settings):
    settings.REDIS_URL = ""  # the embedded default, also under make test-services

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

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent.parent / "templates"]}
    ]


@pytest.fixture
def scripted(settings):
    """The scripted backend, over one connection per run (as its scripts count them); a test of
    several connections sets EMAIL_SMTP_CONNECTIONS itself."""
    from tests.emails.backends import ScriptedBackend

    settings.EMAIL_BACKEND = "tests.emails.backends.ScriptedBackend"
    settings.EMAIL_SMTP_CONNECTIONS = 1
    ScriptedBackend.reset()
    yield ScriptedBackend
    ScriptedBackend.reset()


@pytest.fixture
def fast_outbox(settings, monkeypatch):
    """Outbox timings short enough for tests on real services, in this process (where the tests
    run the sweeper) and in the environment worker subprocesses inherit."""
    from emails import delivery
    from tests.emails.outbox_helpers import FAST_OUTBOX

    for name, value in FAST_OUTBOX.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, type(getattr(settings, name))(float(value)))
    delivery._broker_down_until = 0.0
    yield
    delivery._broker_down_until = 0.0

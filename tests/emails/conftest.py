from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent.parent / "templates"]}
    ]


@pytest.fixture
def scripted(settings):
    from tests.emails.backends import ScriptedBackend

    settings.EMAIL_BACKEND = "tests.emails.backends.ScriptedBackend"
    ScriptedBackend.reset()
    yield ScriptedBackend
    ScriptedBackend.reset()

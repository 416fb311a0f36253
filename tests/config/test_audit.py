"""`make audit` (scripts/audit.py): real findings fail it; an unreachable advisory database passes, saying so."""

import importlib.util

from tests.services import BASE_DIR

spec = importlib.util.spec_from_file_location("rally_audit", BASE_DIR / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_known_vulnerability_fails_the_audit():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "nh3", "version": "0.3.7", "vulns": [{"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["0.3.8"]}]},
        ]
    }
    code, lines = audit.verdict(report)
    assert code == 1
    assert "nh3 0.3.7: GHSA-xxxx-yyyy-zzzz (fixed in 0.3.8)" in lines


def test_an_unreachable_advisory_database_passes_and_says_so():
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    code, lines = audit.verdict(report)
    assert code == 0
    assert "could not be reached" in lines[0]

    code, lines = audit.verdict(None, "ConnectionError: pypi.org")
    assert code == 0 and "nothing was checked" in lines[0]


def test_a_clean_audit_passes():
    code, lines = audit.verdict({"dependencies": [{"name": "django", "version": "5.2.20", "vulns": []}]})
    assert code == 0 and lines == ["audit: 1 pinned packages, no known vulnerability."]


def test_the_audit_runs_pip_audit_on_the_pinned_files():
    assert (BASE_DIR / "requirements-dev.txt").read_text().count("pip-audit==") == 1
    assert "make audit" in (BASE_DIR / ".ci" / "run").read_text()

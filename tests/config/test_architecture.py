"""What import-linter's layers contract cannot see (docs/architecture.md, "The layers"): an import
inside a function, which hides a cycle between two modules of one app, and the Celery task names
that queued tasks and beat's schedule refer to, which moving a task beside its caller must keep."""

import ast
from pathlib import Path

from config.celery import app
from config.settings import CELERY_BEAT_SCHEDULE, CELERY_TASK_ROUTES

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "core", "accounts", "emails", "campaigns", "tracker", "pages", "api"]

# Where Django requires the import to wait: an AppConfig.ready runs once the app registry is loaded,
# and registers what the app's modules (which import models) add to registries below it.
ALLOWED = {"ready"}


def _function_imports(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name in ALLOWED:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(f"{path.relative_to(root)}:{node.lineno} in {function.name}()")
    return found


def test_no_module_imports_inside_a_function_except_where_django_requires_it():
    sources = [path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]
    assert len(sources) > 100
    hidden = [where for path in sorted(sources) for where in _function_imports(path)]
    assert hidden == []


def test_the_guard_sees_an_import_in_a_function_and_lets_ready_have_its_own(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "import json\n\n\ndef later():\n    if json:\n        from .tokens import make_token\n\n\n"
        "class Config:\n    def ready(self):\n        from . import signals\n"
    )
    assert _function_imports(module, root=tmp_path) == ["probe.py:6 in later()"]


def test_celery_knows_every_task_by_the_name_queued_tasks_and_beat_use():
    app.loader.import_default_modules()
    names = {name for name in app.tasks if not name.startswith("celery.")}
    assert names == {
        "campaigns.tasks.address_waiting_letters",
        "campaigns.tasks.close_due_actions",
        "campaigns.tasks.email_milestone_to_signers",
        "campaigns.tasks.email_response_to_signers",
        "campaigns.tasks.expire_signatures",
        "campaigns.tasks.fold_action_counts",
        "campaigns.tasks.fold_counts",
        "campaigns.tasks.import_representatives",
        "campaigns.tasks.publish_scheduled_campaigns",
        "campaigns.tasks.reconcile_counts",
        "campaigns.tasks.record_count_history",
        "campaigns.tasks.send_letter_bundles",
        "campaigns.tasks.sign_again",
        "core.tasks.ping",
        "emails.tasks.deliver_outbox",
        "emails.tasks.purge_email_bodies",
        "emails.tasks.schedule_digests",
        "emails.tasks.send_digest_batch",
        "emails.tasks.send_due_mailings",
        "emails.tasks.send_mailing",
        "emails.tasks.sweep_outbox",
        "tracker.tasks.send_due_notifications",
    }
    assert {entry["task"] for entry in CELERY_BEAT_SCHEDULE.values()} <= names
    assert set(CELERY_TASK_ROUTES) <= names

"""Celery is set up so that no task is lost or run twice by accident, and no request hangs."""

from django.conf import settings

from config.celery import app

# What a worker does at start: import every app's tasks module.
app.loader.import_default_modules()


def test_a_plain_worker_consumes_every_queue_a_task_is_routed_to():
    # `celery -A config worker` without -Q consumes exactly the queues in task_queues.
    consumed = set(app.amqp.queues)
    assert {"celery", "emails"} <= consumed
    for name in app.tasks:
        if name.startswith("celery."):
            continue
        queue = app.amqp.router.route({}, name)["queue"]
        assert queue.name in consumed, f"{name} is routed to {queue.name}, which a plain worker does not consume"
    assert app.amqp.router.route({}, "emails.tasks.deliver_outbox")["queue"].name == "emails"
    # Each queue has its own binding, so no message is delivered to two queues (and run twice).
    bindings = {(queue.exchange.name, queue.routing_key) for queue in app.amqp.queues.values()}
    assert len(bindings) == len(app.amqp.queues)


def test_tasks_are_acknowledged_late_and_come_back_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.tasks["emails.tasks.deliver_outbox"].acks_late is True
    # Sending tasks: a worker process reserves one message at a time.
    assert app.conf.worker_prefetch_multiplier == 1


def test_time_limits_are_shorter_than_the_visibility_timeout():
    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
    assert 0 < soft < hard
    # Redis hands an unacknowledged task to another worker after the visibility timeout: it must
    # outlast the longest task, and no countdown is ever that long (retries live in the rows).
    assert app.conf.broker_transport_options["visibility_timeout"] > hard
    assert app.conf.broker_transport_options["visibility_timeout"] >= settings.EMAIL_RETRY_MAX_SECONDS


def test_publishing_gives_up_at_once_when_the_broker_is_unreachable():
    options = app.conf.broker_transport_options
    assert app.conf.task_publish_retry is False
    assert options["max_retries"] == 0  # kombu would otherwise retry connecting for the whole timeout
    assert options["socket_connect_timeout"] <= 2
    assert options["socket_timeout"] <= 2  # a Redis that accepts but never answers
    assert app.conf.broker_connection_timeout <= 2


def test_the_sweeper_runs_every_minute_and_a_dead_workers_rows_come_back_within_two():
    assert settings.CELERY_BEAT_SCHEDULE["outbox-sweep"] == {"task": "emails.tasks.sweep_outbox", "schedule": 60.0}
    assert settings.EMAIL_CLAIM_TIMEOUT + 60 <= 120
    assert "emails.tasks.sweep_outbox" in app.tasks

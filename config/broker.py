"""Celery's Redis transport, with a lost connection's leftovers failing as connection errors.

When Redis goes away, Celery 5.7.0 collects the lost connection: kombu drops the transport's
client. What still refers to that connection then raised AttributeError ('NoneType' object has no
attribute 'hostname') instead of a connection error: giving unacknowledged messages back while
closing it, and acknowledging a task (acks_late) that finished after the reconnect. Celery treats
only connection errors as recoverable, so the worker exited with status 1 instead of reconnecting.
Failing as a connection error, both are logged and the worker goes on: the message stays in
Redis's unacked set, the visibility timeout hands it out again, and the task skips what it already
did. CELERY_BROKER_TRANSPORT names this class; docs/operations.md tells the story.
"""

import redis
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("The broker connection of this channel was lost and closed.")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel

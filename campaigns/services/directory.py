"""This process's copies of postal-code answers (a code's MPs, each with its decision-maker), and
their invalidation across processes: a letter to the supporter's MP then costs the queries of a
letter to a fixed decision-maker. Any write to the directory says so after its commit
(directory_changed), and every process's copies made before it are no longer used."""

import secrets

from django.core.cache import cache
from django.db import transaction

from core.process_copies import ProcessCopies

DIRECTORY_VERSION_KEY = "campaigns:mp-directory-version"
# The version is read from the shared cache on every lookup; the age limit only bounds a copy's
# life should the word of a change itself be lost (the shared cache down at that moment).
COPY_SECONDS = 60

# (compact postal code, directory version) -> PostalCodeAnswer
_answers = ProcessCopies(seconds=COPY_SECONDS, size=2000)


def directory_version() -> str:
    """The directory's current version; a new one when the shared cache has none (flushed, evicted),
    so a copy made under a version since lost is never taken for current."""
    version = cache.get(DIRECTORY_VERSION_KEY)
    if version is None:
        cache.add(DIRECTORY_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(DIRECTORY_VERSION_KEY)
    return version


def _new_version() -> None:
    cache.set(DIRECTORY_VERSION_KEY, secrets.token_hex(8), timeout=None)


def directory_changed() -> None:
    """A representative, its riding, email or decision-maker changed: after the commit (a request
    running meanwhile could otherwise keep the old answer under the new version), every process's
    copies are dropped."""
    transaction.on_commit(_new_version)


def answer_copy(code: str, version: str):
    return _answers.get((code, version))


def answer_keep(code: str, version: str, answer) -> None:
    _answers.put((code, version), answer)

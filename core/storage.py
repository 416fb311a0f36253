"""Static files storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed files, with each file's URL worked out once per process.

    The manifest is read when the process starts and never changes while it runs, yet finding a
    URL in it (parsing, unquoting, joining) costs every `{% static %}` tag tens of microseconds:
    a page has half a dozen of them, on every request.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url

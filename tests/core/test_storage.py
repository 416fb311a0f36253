import json

from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.storage import StaticFilesStorage


def test_each_static_url_is_worked_out_once_per_process(tmp_path, monkeypatch):
    manifest = {"paths": {"css/rally.css": "css/rally.0123abcd.css"}, "version": "1.1", "hash": "0123"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    looked_up = []
    original = CompressedManifestStaticFilesStorage.url

    def counting_url(self, name, force=False):
        looked_up.append(name)
        return original(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counting_url)
    assert storage.url("css/rally.css") == "/static/css/rally.0123abcd.css"
    assert storage.url("css/rally.css") == "/static/css/rally.0123abcd.css"
    assert looked_up == ["css/rally.css"]

"""The French catalogue: complete, well-formed, compiled, and actually served.

The .po is parsed here by hand (polib is not a dependency), and the committed .mo is read with the
standard library so that a machine without gettext still gets French: the .mo must match the .po.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.accounts.factories import UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):  # obsolete entries are not served
            continue
        if not line.strip():
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue():
    entries = _parse_po(LOCALE_DIR / "django.po")
    header = entries[0]
    assert header["msgid"] == ""
    return header, entries[1:]


def test_header_names_french_and_its_plural_rule(catalogue):
    header, _ = catalogue
    assert "fuzzy" not in header["flags"]
    assert "Language: fr\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"]


def test_every_message_has_a_french_translation(catalogue):
    _, entries = catalogue
    assert len(entries) > 600
    untranslated = []
    for entry in entries:
        if "msgid_plural" in entry:
            forms = [entry.get("msgstr[0]", ""), entry.get("msgstr[1]", "")]
        else:
            forms = [entry.get("msgstr", "")]
        if not all(form.strip() for form in forms) or "fuzzy" in entry["flags"]:
            untranslated.append(entry["msgid"])
    assert untranslated == []


def test_translations_keep_every_placeholder_and_tag(catalogue):
    _, entries = catalogue
    broken = []
    for entry in entries:
        if "msgid_plural" in entry:
            # The French singular may spell out "un" instead of the counter, but it invents nothing.
            source = entry["msgid_plural"]
            pairs = [(entry["msgstr[1]"], True), (entry["msgstr[0]"], False)]
        else:
            source = entry["msgid"]
            pairs = [(entry["msgstr"], True)]
        wanted = sorted(PLACEHOLDER.findall(source))
        wanted_tags = sorted(re.findall(r"<[^>]+>", source))
        for text, exact in pairs:
            found = sorted(PLACEHOLDER.findall(text))
            if (exact and found != wanted) or not set(found) <= set(wanted):
                broken.append((entry["msgid"], text))
            if exact and sorted(re.findall(r"<[^>]+>", text)) != wanted_tags:
                broken.append((entry["msgid"], text))
    assert broken == []


def test_compiled_catalogue_matches_the_po(catalogue):
    _, entries = catalogue
    with open(LOCALE_DIR / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in entries:
        if "msgid_plural" in entry:
            served = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            expected = [entry["msgstr[0]"], entry["msgstr[1]"]]
        else:
            served, expected = compiled.gettext(entry["msgid"]), entry["msgstr"]
        if served != expected:
            stale.append(entry["msgid"])
    assert stale == []


def test_home_page_in_french(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Agir pour les personnes réfugiées et migrantes" in page
    assert "Entente sur les tiers pays sûrs" in page
    assert "Campagnes en cours" in page
    assert "Act for refugees and migrants" not in page


def test_home_page_stays_english_by_default(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Act for refugees and migrants" in page
    assert "Agir pour les personnes" not in page


def test_sign_in_page_in_french(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Passer au contenu principal" in page
    assert "Se connecter" in page
    assert "S'inscrire" in page or "S&#x27;inscrire" in page
    assert "Mot de passe" in page
    assert "Skip to main content" not in page


def test_signed_in_supporter_gets_their_saved_language(client, db):
    user = UserFactory(language="fr")
    client.force_login(user)
    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Votre profil" in page
    assert "Authentification à deux facteurs" in page

"""core.reversing gives what reverse() gives."""

import pytest
from django.urls import reverse
from django.urls.base import set_script_prefix

from campaigns.tokens import CONFIRM, signature_token
from core.reversing import reverse_around, reverse_cached


@pytest.mark.parametrize("value", ["token", "a:b~c@d", "é ü", "x%2F"])
def test_a_path_around_a_value_is_the_reversed_path(value):
    if value == "token":
        value = signature_token(signature_id=12345, purpose=CONFIRM)
    assert reverse_around("campaigns:signature-confirm", value) == reverse("campaigns:signature-confirm", args=[value])


def test_a_value_with_a_slash_is_reversed_the_usual_way():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse_around("campaigns:signature-withdraw", "a/b")


def test_remembered_paths_follow_the_script_prefix():
    assert reverse_cached("campaigns:action-detail", "stca") == "/en/act/stca/"
    set_script_prefix("/rally/")
    try:
        assert reverse_cached("campaigns:action-detail", "stca") == "/rally/en/act/stca/"
    finally:
        set_script_prefix("/")

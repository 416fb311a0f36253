import pytest
from django.core.exceptions import ValidationError

from accounts.geography import normalise_postal_code


@pytest.mark.parametrize(
    ("raw", "code", "region"),
    [
        ("k1a0b1", "K1A 0B1", "ON"),
        (" h2x 1y4 ", "H2X 1Y4", "QC"),
        ("V6B 1A1", "V6B 1A1", "BC"),
        ("X0A 0H0", "X0A 0H0", "NU"),
        ("X1A 2P3", "X1A 2P3", "NT"),
        ("A1C 5M2", "A1C 5M2", "NL"),
    ],
)
def test_canadian_postal_codes_name_their_province(raw, code, region):
    assert normalise_postal_code("CA", raw) == (code, region)


@pytest.mark.parametrize("raw", ["12345", "D1A 0B1", "K1A 0B", "K1A-0B1", "W1A 0B1"])
def test_malformed_canadian_postal_codes_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_postal_code("CA", raw)


def test_us_zip_codes():
    assert normalise_postal_code("US", "20500-0003") == ("20500-0003", "")
    with pytest.raises(ValidationError):
        normalise_postal_code("US", "K1A 0B1")

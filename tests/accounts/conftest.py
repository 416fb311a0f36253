import pytest

from tests.accounts.factories import PASSWORD, UserFactory


@pytest.fixture
def supporter(db):
    return UserFactory(first_name="Ana", last_name="Lopez", country="CA", region="ON", postal_code="K1A 0B1")


@pytest.fixture
def supporter_client(client, supporter):
    client.force_login(supporter)
    return client


@pytest.fixture
def reauthenticated_client(supporter_client):
    """Signed in and just re-entered the password, as allauth asks before changing 2FA."""
    response = supporter_client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302
    return supporter_client

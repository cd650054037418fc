"""Fixtures of the API tests: a liaison token and an API client that sends it."""
import pytest
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue


def bearer_client(user) -> APIClient:
    _, raw = api_token_issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def liaison_client(liaison_x):
    return bearer_client(liaison_x)

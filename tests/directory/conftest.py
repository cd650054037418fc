import pytest

from directory.services import vocabulary_load


@pytest.fixture(autouse=True)
def service_vocabulary(db):
    """Transactional tests elsewhere flush the table the migration filled; put the vocabulary back."""
    vocabulary_load()

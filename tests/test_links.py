"""``pk_url``: the URL of each of many objects, as ``reverse`` writes it."""
import pytest
from django.urls import reverse

from carecoord.links import pk_url


@pytest.mark.parametrize("name", ["case_detail", "member_detail"])
def test_each_pk_gets_the_url_reverse_gives(name):
    url_of = pk_url(name)
    for pk in (1, 7, 42, 2_147_483_646, 12345678901):
        assert url_of(pk) == reverse(name, args=[pk])


def test_a_pk_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        pk_url("case_detail")("1/../../admin")

"""The member search's plans on a data set large enough for PostgreSQL's own costs to choose them."""
from __future__ import annotations

import pytest

from carecoord.scale.bench import pick_users
from carecoord.scale.dataset import DatasetGenerator
from cases.selectors import search_members
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres()]


def test_a_case_managers_search_reads_the_members_of_the_caseload_not_every_member():
    # Given a data set of 5,000 members, analyzed as after a load, and a case manager with a caseload
    DatasetGenerator(members=5000).run()
    case_manager = pick_users()["case_manager"]
    # When PostgreSQL plans the case manager's search for a name (the names of each member in scope compared)
    plan = search_members(user=case_manager, q="Reyes", limit=25, names_first=False).explain()
    # Then it reads the caseload's members by id rather than comparing the name of every member in the table,
    # which it chose with pg_trgm's similarity priced as an addition (27 ms against 3 ms at 10,000 members)
    assert "Seq Scan on cases_member " not in plan, plan
    assert "cases_member_pkey" in plan, plan

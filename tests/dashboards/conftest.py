"""A known data set for the dashboards: two organizations, two workers in organization A, deadlines of
two rules in October and November 2026, and organization B's deadlines that A's supervisor must never count."""
import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from carecoord.accounts.roles import sync_role_groups
from carecoord.clocks.models import Deadline
from tests.factories import CaseFactory, MemberFactory, SupervisorFactory, TeamFactory, UserFactory

from .factories import DeadlineFactory

START, END = datetime.date(2026, 10, 1), datetime.date(2026, 11, 30)
OCT, NOV, SEP = datetime.date(2026, 10, 15), datetime.date(2026, 11, 10), datetime.date(2026, 9, 20)
R1, R2 = "ccs.medical_eligibility", "ecm.assessment"
S = Deadline.Status


def grant_role_group(user):
    sync_role_groups()
    user.groups.add(Group.objects.get(name=user.role))
    return user


@dataclass
class KnownSet:
    supervisor_a: object
    supervisor_b: object
    worker_1: object
    worker_2: object
    case_1: object
    case_2: object
    case_b: object
    ids: dict


def make_deadlines(case, owner, specs, *, rule=R1, due=OCT):
    return [DeadlineFactory(case=case, owner=owner, rule_code=rule, due=due, status=status).pk for status in specs]


@pytest.fixture
def known(program_a, program_b, county_a, county_b):
    """Organization A: worker_1 (team 1) and worker_2 (team 2); organization B: one worker."""
    supervisor_a = grant_role_group(SupervisorFactory(organization=program_a, username="sup_a"))
    supervisor_b = grant_role_group(SupervisorFactory(organization=program_b, username="sup_b"))
    worker_1 = UserFactory(organization=program_a, username="worker_1", team=TeamFactory(organization=program_a, name="Team One", supervisor=supervisor_a))
    worker_2 = UserFactory(organization=program_a, username="worker_2", team=TeamFactory(organization=program_a, name="Team Two", supervisor=supervisor_a))
    worker_b = UserFactory(organization=program_b, username="worker_b_other_org")
    case_1 = CaseFactory(member=MemberFactory(county=county_a, last_name="Alvarez"), organization=program_a,
                         team=worker_1.team, primary_case_manager=worker_1)
    case_2 = CaseFactory(member=MemberFactory(county=county_a, last_name="Baker"), organization=program_a,
                         team=worker_2.team, primary_case_manager=worker_2, program="ecm")
    case_b = CaseFactory(member=MemberFactory(county=county_b, last_name="Otherorg"), organization=program_b,
                         primary_case_manager=worker_b)
    ids = {
        # R1, worker_1, October: 2 on time, 1 late, 1 missed.
        "w1_oct_on_time": make_deadlines(case_1, worker_1, [S.MET_ON_TIME, S.MET_ON_TIME]),
        "w1_oct_late": make_deadlines(case_1, worker_1, [S.MET_LATE]),
        "w1_oct_missed": make_deadlines(case_1, worker_1, [S.MISSED]),
        # R1, worker_2, November: 3 on time.
        "w2_nov_on_time": make_deadlines(case_2, worker_2, [S.MET_ON_TIME] * 3, due=NOV),
        # R1, worker_1, November: one still open, one cancelled (not counted).
        "w1_nov_open": make_deadlines(case_1, worker_1, [S.OPEN], due=NOV),
        "w1_nov_cancelled": make_deadlines(case_1, worker_1, [S.CANCELLED], due=NOV),
        # R1 in September: outside the period.
        "w1_sep_late": make_deadlines(case_1, worker_1, [S.MET_LATE], due=SEP),
        # R2, worker_2, November: 1 on time.
        "w2_nov_r2": make_deadlines(case_2, worker_2, [S.MET_ON_TIME], rule=R2, due=NOV),
        # Organization B: 5 missed in October.
        "b_missed": make_deadlines(case_b, worker_b, [S.MISSED] * 5),
    }
    return KnownSet(supervisor_a, supervisor_b, worker_1, worker_2, case_1, case_2, case_b, ids)

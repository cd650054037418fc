"""The bulk data set generator at a tiny size: every table, every state, constraints and indexes intact."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from carecoord.accounts.models import County, User
from carecoord.clocks.models import Deadline
from carecoord.scale.dataset import DatasetGenerator, reset_dataset
from cases.models import CareTeamMember, Case, Coverage, Member, MemberName
from consents.models import Consent, ConsentKind, DataCategory
from referrals.models import Referral
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres()]


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def _name_dictionary_trigram_indexes() -> dict[str, int]:
    """The name dictionary's trigram indexes by name, with each one's object id (new when it is rebuilt)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexname::regclass::oid FROM pg_indexes WHERE tablename = %s "
                       "AND indexdef LIKE '%%gin_trgm_ops%%'", [MemberName._meta.db_table])
        return dict(cursor.fetchall())


def test_generator_loads_every_table_in_realistic_shape():
    # Given the indexes the deadline table and the name dictionary have before a load
    before = _index_names(Deadline._meta.db_table)
    dictionary_indexes = _name_dictionary_trigram_indexes()
    # When a tiny data set is generated
    report = DatasetGenerator(members=300).run()
    # Then the sizes follow the member count
    assert Member.objects.count() == 300
    assert Case.objects.count() == 90
    assert Deadline.objects.count() == 600
    assert report.rows["members"] == 300 and report.rows["deadlines"] == 600
    # and every member has exactly one open coverage
    assert Coverage.objects.filter(end_date__isnull=True).count() == 300
    # and cases span the three programs and several counties
    assert set(Case.objects.values_list("program", flat=True)) == {"ccs", "ecm", "dmc_ods"}
    assert Case.objects.values("member__county").distinct().count() >= 3
    # and deadlines are in every state the engine uses
    states = set(Deadline.objects.values_list("status", flat=True))
    assert {"open", "missed", "met_on_time", "met_late", "cancelled"} <= states
    assert Deadline.objects.filter(status="open", due_at__lt=timezone.now()).exists()  # a sweep backlog
    # and the member search's name dictionary holds each name the COPY wrote, once
    names = set(Member.objects.values_list("first_name", "last_name"))
    assert sorted(MemberName.objects.values_list("first_name", "last_name")) == sorted(names)
    # and the related rows exist
    assert CareTeamMember.objects.exists() and Referral.objects.exists() and Consent.objects.exists()
    # and every consent is one the consent rules accept: known categories, the kind's own, and named recipients
    for consent in Consent.objects.prefetch_related("recipients"):
        assert set(consent.data_categories) <= set(DataCategory.values)
        assert (DataCategory.SUD in consent.data_categories) == (consent.kind == ConsentKind.PART2)
        assert consent.recipients.all(), f"consent {consent.pk} names nobody"
    # and most DMC-ODS members' Part 2 consents name their plan, whose liaison then sees their SUD details
    part2 = Consent.objects.filter(kind=ConsentKind.PART2, member__coverages__end_date__isnull=True,
                                   member__coverages__plan__isnull=False)
    naming_plan = part2.filter(recipients=F("member__coverages__plan"))
    assert 0.4 < naming_plan.count() / part2.count() < 0.95
    # and staff come in roles, each in its group
    cm = User.objects.filter(role="case_manager").first()
    assert cm is not None and cm.groups.filter(name="case_manager").exists()
    assert User.objects.filter(role="plan_liaison").exists()
    # and each county's CCS program has a new case manager on a team of their own, carrying the program's
    # oldest carried cases, at most three: the benchmark's caseload smaller than a page
    hires = User.objects.filter(role="case_manager", team__name="New hires")
    assert hires.count() == County.objects.count()
    assert any(hire.primary_cases.exists() for hire in hires)
    for hire in hires:
        theirs = list(hire.primary_cases.order_by("pk").values_list("pk", flat=True))
        carried = Case.objects.filter(organization=hire.organization, primary_case_manager__isnull=False).order_by("pk")
        assert theirs == list(carried.values_list("pk", flat=True)[:3])
        assert set(hire.primary_cases.values_list("team_id", flat=True)) <= {hire.team_id}
    # and closed cases carry a reason and a date (the check constraint held during COPY)
    assert not Case.objects.filter(status="closed", closed_reason="").exists()
    # and the secondary indexes dropped for the load are back
    assert before <= _index_names(Deadline._meta.db_table)
    # and the dictionary's five trigram indexes were built after its names, not filled name by name into
    # a GIN pending list that each search would read whole
    rebuilt = _name_dictionary_trigram_indexes()
    assert len(dictionary_indexes) == 5 and rebuilt.keys() == dictionary_indexes.keys()
    assert not set(rebuilt.values()) & set(dictionary_indexes.values())
    # and new rows still get fresh ids after the explicit-id COPY
    assert Member.objects.order_by("-id").first().id < _next_sequence_value(Member)


def _next_sequence_value(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('\"{model._meta.db_table}\"', 'id'))")
        return cursor.fetchone()[0]


def test_generator_refuses_to_double_load_and_reset_empties():
    # Given a loaded data set
    DatasetGenerator(members=150).run()
    # When it is generated again without reset
    # Then it refuses rather than doubling the members
    with pytest.raises(RuntimeError, match="--reset"):
        DatasetGenerator(members=150).run()
    assert Member.objects.count() == 150
    # When the data set is reset
    reset_dataset()
    # Then members, cases and deadlines are gone, and a new load works
    assert not Member.objects.exists() and not Case.objects.exists() and not Deadline.objects.exists()
    assert not MemberName.objects.exists()
    DatasetGenerator(members=120).run()
    assert Member.objects.count() == 120

"""Consent records, revocation, expiry by event, disclose() and its accounting, the list of disclosures."""
import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.models import TimelineEntry
from consents.models import Consent, ConsentKind, Disclosure
from consents.services import (
    PART2_REDISCLOSURE_NOTICE,
    consent_expire_by_event,
    consent_record,
    consent_revoke,
    disclose,
    disclosure_list_produce,
    disclosure_list_request,
)
from tests.conftest import requires_postgres
from tests.consents.factories import consent_kwargs, make_consent
from tests.factories import ProviderFactory

HIPAA, PART2, VERBAL, CCC = (ConsentKind.HIPAA_AUTHORIZATION, ConsentKind.PART2, ConsentKind.ECM_VERBAL,
                             ConsentKind.COORDINATED_CARE)


@pytest.fixture
def providers(db):
    return (ProviderFactory(name="New Dawn Residential Treatment", type="dmc_ods_provider"),
            ProviderFactory(name="Hillside Recovery", type="dmc_ods_provider"))


# --------------------------------------------------------------------------- consent records

MISSING = [
    # (kind, element removed, value meaning "missing", rule expected)
    (HIPAA, "description_of_information", "", "consent.description_of_information_required"),
    (HIPAA, "discloser", "", "consent.discloser_required"),
    (HIPAA, "signed_by_name", "", "consent.signed_by_name_required"),
    (HIPAA, "signed_on", None, "consent.signed_on_required"),
    (HIPAA, "purposes", [], "consent.purposes_required"),
    (HIPAA, "data_categories", [], "consent.data_categories_required"),
    (HIPAA, "statement_right_to_revoke", False, "consent.statement_right_to_revoke_required"),
    (HIPAA, "statement_treatment_not_conditioned", False, "consent.statement_treatment_not_conditioned_required"),
    (HIPAA, "statement_redisclosure", False, "consent.statement_redisclosure_required"),
    (HIPAA, "effective_on", None, "consent.effective_on_required"),
    (PART2, "discloser", "", "consent.discloser_required"),
    (PART2, "statement_right_to_revoke", False, "consent.statement_right_to_revoke_required"),
    (CCC, "signed_on", None, "consent.signed_on_required"),
    (VERBAL, "verbal_provider_and_service", "", "consent.verbal_provider_and_service_required"),
    (VERBAL, "verbal_information_shared", False, "consent.verbal_information_shared_required"),
    (VERBAL, "verbal_duration", False, "consent.verbal_duration_required"),
    (VERBAL, "verbal_right_to_withdraw", False, "consent.verbal_right_to_withdraw_required"),
    (VERBAL, "given_by_name", "", "consent.given_by_name_required"),
    (VERBAL, "obtained_by", None, "consent.obtained_by_required"),
    (VERBAL, "obtained_at", None, "consent.obtained_at_required"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("kind,element,empty,rule", MISSING, ids=[f"{k}-{e}" for k, e, _v, _r in MISSING])
def test_incomplete_consent_refused_naming_missing_element(case_a, manager_a, providers, kind, element, empty, rule):
    # Given a complete consent of the kind but for one element
    kwargs = consent_kwargs(kind, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]], **{element: empty})
    # When it is recorded
    with pytest.raises(RuleViolation) as err:
        consent_record(**kwargs)
    # Then it is refused naming that element, and nothing is written
    assert (err.value.field, err.value.rule) == (element, rule)
    assert Consent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [HIPAA, PART2, VERBAL, CCC])
def test_consent_without_recipient_or_expiry_refused(case_a, manager_a, kind):
    member = case_a.member
    with pytest.raises(RuleViolation) as err:
        consent_record(**consent_kwargs(kind, member=member, recorded_by=manager_a))
    assert (err.value.field, err.value.rule) == ("recipients", "consent.recipients_required")
    with pytest.raises(RuleViolation) as err:
        consent_record(**consent_kwargs(kind, member=member, recorded_by=manager_a, recipient_persons=["Ana Ruiz"], expires_on=None))
    assert (err.value.field, err.value.rule) == ("expires_on", "consent.expires_on_required")
    assert Consent.objects.count() == 0
    # An expiry event is enough in place of a date
    consent = consent_record(**consent_kwargs(kind, member=member, recorded_by=manager_a, recipient_persons=["Ana Ruiz"],
                                              expires_on=None, expiry_event="Discharge from the program"))
    assert consent.is_in_force()


@pytest.mark.django_db
def test_representative_signature_needs_authority(case_a, manager_a, providers):
    kwargs = consent_kwargs(HIPAA, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]],
                            signed_by_representative=True, signed_by_name="Maria Lopez")
    with pytest.raises(RuleViolation) as err:
        consent_record(**kwargs)
    assert (err.value.field, err.value.rule) == ("representative_authority", "consent.representative_authority_required")
    kwargs["representative_authority"] = "Parent of a minor"
    assert consent_record(**kwargs).representative_authority == "Parent of a minor"


@pytest.mark.django_db
@pytest.mark.parametrize("kind,overrides,field,rule", [
    (PART2, {"recipient_categories": ["treating_providers"]}, "recipient_categories", "consent.part2_named_recipients"),
    (PART2, {"recipient_categories": ["member_plan"], "tpo_generic": True, "purposes": ["legal"]}, "recipient_categories",
     "consent.part2_generic_tpo_only"),
    (PART2, {"data_categories": ["general"]}, "data_categories", "consent.data_categories_required"),
    (HIPAA, {"data_categories": ["general", "sud"]}, "data_categories", "consent.sud_needs_part2"),
    (VERBAL, {"data_categories": ["sud"]}, "data_categories", "consent.verbal_no_sud"),
    (HIPAA, {"expires_on": datetime.date(2000, 1, 1)}, "expires_on", "consent.expires_after_effective"),
])
def test_part2_and_category_rules_at_entry(case_a, manager_a, providers, kind, overrides, field, rule):
    kwargs = consent_kwargs(kind, member=case_a.member, recorded_by=manager_a, **overrides)
    if "recipient_categories" not in overrides:
        kwargs["recipients"] = [providers[0]]
    with pytest.raises(RuleViolation) as err:
        consent_record(**kwargs)
    assert (err.value.field, err.value.rule) == (field, rule)
    assert Consent.objects.count() == 0


# --------------------------------------------------------------------------- disclose and the accounting


@pytest.mark.django_db
def test_part2_walkthrough_send_refuse_revoke_refuse(case_a, manager_a, providers):
    new_dawn, hillside = providers
    member = case_a.member
    # Given a Part 2 consent naming New Dawn, recorded for the case
    consent = make_consent(PART2, member=member, recorded_by=manager_a, recipients=[new_dawn], case=case_a)

    # When the referral packet with SUD records goes to New Dawn
    sent = disclose(member=member, recipient=new_dawn, purpose="referral", categories=["sud", "general"],
                    description="Referral packet: ASAM assessment, diagnosis, recent service notes",
                    disclosed_by=manager_a, case=case_a, channel="secure_email")
    # Then exactly one accounting row, under the consent, with the Part 2 notice, and a timeline line
    assert Disclosure.objects.count() == 1
    assert list(sent.consents.all()) == [consent]
    assert sent.redisclosure_notice == PART2_REDISCLOSURE_NOTICE
    assert (sent.rule, sent.disclosed_by, sent.channel, sent.categories) == ("consent.covered", manager_a, "secure_email", ["general", "sud"])
    assert TimelineEntry.objects.filter(case=case_a, kind="consent.disclosed", data__disclosure=sent.pk).count() == 1

    # When the same packet would go to Hillside
    with pytest.raises(RuleViolation) as err:
        disclose(member=member, recipient=hillside, purpose="referral", categories=["sud"], description="Referral packet",
                 disclosed_by=manager_a)
    # Then it is refused naming the recipient, and nothing more is written
    assert (err.value.field, err.value.rule) == ("consent", "disclosure.part2_consent_required")
    assert "Hillside Recovery" in err.value.message
    assert Disclosure.objects.count() == 1

    # When the consent is revoked (in writing), the very next send to New Dawn is refused
    consent_revoke(consent=consent, revoked_by=manager_a, in_writing=True, note="Letter received")
    with pytest.raises(RuleViolation) as err:
        disclose(member=member, recipient=new_dawn, purpose="referral", categories=["sud"], description="Update",
                 disclosed_by=manager_a)
    assert err.value.rule == "disclosure.consent_revoked"
    assert Disclosure.objects.count() == 1
    consent.refresh_from_db()
    assert (consent.revoked_by, consent.revocation_in_writing, consent.status()) == (manager_a, True, "revoked")
    assert TimelineEntry.objects.filter(case=case_a, kind="consent.revoked").count() == 1


@pytest.mark.django_db
def test_general_disclosure_has_no_redisclosure_notice_and_each_disclosure_one_row(case_a, manager_a):
    member, plan = case_a.member, case_a.member.coverages.get().plan
    for n in range(3):
        row = disclose(member=member, recipient=plan, purpose="care_coordination", categories=["general"],
                       description=f"Tracking list row {n}", disclosed_by=manager_a, channel="api")
        assert row.redisclosure_notice == "" and row.rule == "hipaa.tpo_own_plan"
        assert Disclosure.objects.count() == n + 1


@pytest.mark.django_db
def test_disclose_needs_description_and_writes_nothing(case_a, manager_a):
    plan = case_a.member.coverages.get().plan
    with pytest.raises(RuleViolation) as err:
        disclose(member=case_a.member, recipient=plan, purpose="payment", categories=["general"], description=" ",
                 disclosed_by=manager_a)
    assert (err.value.field, err.value.rule) == ("description", "disclosure.description_required")
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_part2_revocation_must_be_in_writing(case_a, manager_a, providers):
    consent = make_consent(PART2, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]])
    with pytest.raises(RuleViolation) as err:
        consent_revoke(consent=consent, revoked_by=manager_a, in_writing=False)
    assert (err.value.field, err.value.rule) == ("in_writing", "consent.part2_revocation_in_writing")
    consent.refresh_from_db()
    assert consent.revoked_at is None
    # A HIPAA authorization may be revoked on the member's word, recorded by the worker
    hipaa = make_consent(HIPAA, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]])
    consent_revoke(consent=hipaa, revoked_by=manager_a)
    with pytest.raises(RuleViolation) as err:
        consent_revoke(consent=hipaa, revoked_by=manager_a)
    assert err.value.rule == "consent.already_revoked"


@pytest.mark.django_db
def test_expiry_event_ends_consent_and_stops_disclosure(case_a, manager_a, providers):
    consent = make_consent(VERBAL, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]],
                           expires_on=None, expiry_event="ECM enrollment ends")
    disclose(member=case_a.member, recipient=providers[0], purpose="referral", categories=["general"],
             description="ECM referral", disclosed_by=manager_a)
    consent_expire_by_event(consent=consent, recorded_by=manager_a)
    with pytest.raises(RuleViolation) as err:
        disclose(member=case_a.member, recipient=providers[0], purpose="referral", categories=["general"],
                 description="ECM referral again", disclosed_by=manager_a)
    assert err.value.rule == "disclosure.consent_expired"
    assert Disclosure.objects.count() == 1
    no_event = make_consent(HIPAA, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]])
    with pytest.raises(RuleViolation) as err:
        consent_expire_by_event(consent=no_event, recorded_by=manager_a)
    assert err.value.rule == "consent.no_expiry_event"


@pytest.mark.django_db
def test_accounting_is_append_only(case_a, manager_a):
    plan = case_a.member.coverages.get().plan
    row = disclose(member=case_a.member, recipient=plan, purpose="payment", categories=["general"],
                   description="Claim support", disclosed_by=manager_a)
    row.description = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        Disclosure.objects.filter(pk=row.pk).update(description="changed")
    with pytest.raises(PermissionError):
        Disclosure.objects.all().delete()
    assert Disclosure.objects.get(pk=row.pk).description == "Claim support"


@requires_postgres()
@pytest.mark.django_db
def test_database_refuses_update_of_accounting(case_a, manager_a):
    plan = case_a.member.coverages.get().plan
    row = disclose(member=case_a.member, recipient=plan, purpose="payment", categories=["general"],
                   description="Claim support", disclosed_by=manager_a)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consents_disclosure SET description = 'x' WHERE id = %s", [row.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM consents_disclosure WHERE id = %s", [row.pk])
    assert Disclosure.objects.get(pk=row.pk).description == "Claim support"


@pytest.mark.django_db
def test_revocation_has_author_constraint(case_a, manager_a, providers):
    consent = make_consent(HIPAA, member=case_a.member, recorded_by=manager_a, recipients=[providers[0]])
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(revoked_at=timezone.now())


# --------------------------------------------------------------------------- list of disclosures


@pytest.mark.django_db
def test_disclosure_list_request_starts_and_produce_meets_30_day_clock(case_a, manager_a):
    request = disclosure_list_request(member=case_a.member, recorded_by=manager_a, requested_by_name="The member")
    deadline = Deadline.objects.get(rule_code="all.part2_disclosure_list", subject_id=request.pk)
    assert deadline.status == Deadline.Status.OPEN
    assert deadline.due_at - deadline.started_at >= datetime.timedelta(days=29)
    disclosure_list_produce(request=request, produced_by=manager_a)
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert deadline.status == Deadline.Status.MET_ON_TIME
    assert request.produced_by == manager_a and request.produced_at is not None


# --------------------------------------------------------------------------- many members at once


@pytest.mark.django_db
def test_disclose_bulk_one_row_per_member_constant_queries_and_all_or_nothing(
        case_a, manager_a, plan_x, county_a, providers, django_assert_max_num_queries):
    from tests.factories import CoverageFactory, MemberFactory

    # Given plan X members, one of them with a Part 2 consent naming the plan
    members = [case_a.member]
    for _n in range(5):
        member = MemberFactory(county=county_a)
        CoverageFactory(member=member, plan=plan_x)
        members.append(member)
    part2 = make_consent(PART2, member=members[1], recorded_by=manager_a, recipients=[plan_x])

    # When general data of all goes to the plan: one row each, under the own-plan rule or the consent
    with django_assert_max_num_queries(12):
        rows = disclose_bulk_call(members, plan_x, manager_a, ["general"])
    assert Disclosure.objects.count() == len(members) == len(rows)
    assert {r.rule for r in rows} == {"hipaa.tpo_own_plan", "consent.covered"}
    assert list(Disclosure.objects.get(member=members[1]).consents.all()) == [part2]

    # When SUD data of all would go, the members without a Part 2 consent stop the whole batch
    with pytest.raises(RuleViolation) as err:
        disclose_bulk_call(members, plan_x, manager_a, ["sud"])
    assert err.value.rule == "disclosure.part2_consent_required"
    assert Disclosure.objects.count() == len(members)
    # And a batch of only the covered member goes, with the Part 2 notice
    [row] = disclose_bulk_call(members[1:2], plan_x, manager_a, ["sud"])
    assert row.redisclosure_notice == PART2_REDISCLOSURE_NOTICE


def disclose_bulk_call(members, plan, user, categories):
    from consents.services import disclose_bulk

    return disclose_bulk(rows=[(m, None) for m in members], recipient=plan, purpose="care_coordination",
                         categories=categories, description="Tracking list", disclosed_by=user, channel="api")


@pytest.mark.django_db
def test_a_page_of_members_is_decided_as_each_member_alone(case_a, manager_a, plan_x, plan_y, county_a, providers):
    """filter_categories_for_members (a plan's page) gives what filter_categories gives member by member: consents
    naming the plan or its category, revoked, expired, not yet in force, another plan's, none."""
    from consents.services import consent_revoke, filter_categories, filter_categories_for_members
    from tests.factories import CoverageFactory, MemberFactory

    today = timezone.localdate()
    members = [MemberFactory(county=county_a) for _n in range(8)]
    for member in members[:7]:
        CoverageFactory(member=member, plan=plan_x)
    named, by_category, revoked, expired, pending, other_plan, hipaa, _none = members
    make_consent(PART2, member=named, recorded_by=manager_a, recipients=[plan_x])
    make_consent(PART2, member=by_category, recorded_by=manager_a, recipient_categories=["member_plan"], tpo_generic=True)
    consent_revoke(consent=make_consent(PART2, member=revoked, recorded_by=manager_a, recipients=[plan_x]),
                   revoked_by=manager_a, in_writing=True)
    make_consent(PART2, member=expired, recorded_by=manager_a, recipients=[plan_x],
                 effective_on=today - datetime.timedelta(days=40), expires_on=today - datetime.timedelta(days=1))
    make_consent(PART2, member=pending, recorded_by=manager_a, recipients=[plan_x],
                 effective_on=today + datetime.timedelta(days=3))
    make_consent(PART2, member=other_plan, recorded_by=manager_a, recipients=[plan_y])
    make_consent(HIPAA, member=hipaa, recorded_by=manager_a, recipients=[plan_x], data_categories=["general", "mental_health"])

    for purpose in ("care_coordination", "treatment", "legal"):
        for categories in (["sud"], ["general", "sud", "mental_health"], ["mental_health", "unknown"]):
            page = filter_categories_for_members(member_ids=[m.pk for m in members], recipient=plan_x, purpose=purpose,
                                                 categories=categories)
            alone = {m.pk: filter_categories(member=m, recipient=plan_x, purpose=purpose, categories=categories)
                     for m in members}
            assert page == alone, (purpose, categories)
    sud = filter_categories_for_members(member_ids=[m.pk for m in members], recipient=plan_x,
                                        purpose="care_coordination", categories=["sud"])
    assert {member_id for member_id, allowed in sud.items() if allowed} == {named.pk, by_category.pk}

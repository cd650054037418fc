"""Instances built from their rows (carecoord/model_rows.py) are the instances Django builds."""
import pytest
from django.db.models import Model
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.db import connection

from carecoord.model_rows import FromRow
from cases.models import Case
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

# A case page's read: the case with its member, organization and case manager, some of their fields deferred.
COLUMNS = ("member", "program", "status", "diagnoses", "referred_at", "version", "member__last_name", "member__date_of_birth",
           "organization__name", "primary_case_manager__first_name", "primary_case_manager__email")


def _read(pk):
    return Case.objects.select_related("member", "organization", "primary_case_manager").only(*COLUMNS).get(pk=pk)


def _state(instance):
    """What an instance holds: its values, its deferred fields, whether it is new, its database, its related
    objects (each as its own state)."""
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    related = {name: _state(obj) for name, obj in instance._state.fields_cache.items() if obj is not None}
    return values, instance.get_deferred_fields(), instance._state.adding, instance._state.db, related


@pytest.fixture
def case():
    return CaseFactory(primary_case_manager=UserFactory(), diagnoses=["Q90.9"])


def test_an_instance_read_is_what_djangos_init_builds(case, monkeypatch):
    constructed = []
    real_init = Model.__init__
    monkeypatch.setattr(Model, "__init__", lambda self, *args, **kwargs: constructed.append(type(self).__name__)
                        or real_init(self, *args, **kwargs))
    ours = _read(case.pk)
    assert constructed == []  # the case, its member, organization and case manager, none through __init__
    monkeypatch.setattr(FromRow, "from_db", classmethod(lambda cls, db, names, values: Model.from_db.__func__(cls, db, names, values)))
    djangos = _read(case.pk)
    assert constructed == ["Case", "Member", "Organization", "User"]
    assert _state(ours) == _state(djangos)
    loaded = {"id", "member_id", "organization_id", "primary_case_manager_id", "program", "status", "diagnoses", "referred_at",
              "version"}
    assert _state(ours)[1] == {field.attname for field in Case._meta.concrete_fields} - loaded


def test_an_instance_read_behaves_as_any_other(case):
    read = _read(case.pk)
    with CaptureQueriesContext(connection) as queries:
        # its related objects come from the read, its deferred fields from one query each
        assert read.member.last_name == case.member.last_name and read.organization.name == case.organization.name
        assert read.primary_case_manager.email == case.primary_case_manager.email
        assert len(queries) == 0
        assert read.case_number == case.case_number
        assert len(queries) == 1
    assert read == case and hash(read) == hash(case) and read.diagnoses == ["Q90.9"]
    # it is saved as the existing row, not inserted
    read.status = Case.Status.OPEN
    read.save(update_fields=["status"])
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN and Case.objects.count() == 1
    read.refresh_from_db()
    assert read.version == Case.objects.get(pk=case.pk).version


def test_an_instance_a_receiver_watches_is_built_by_django(case):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Case)
    try:
        read = _read(case.pk)
    finally:
        post_init.disconnect(receiver, sender=Case)
    assert seen == [case.pk] and read.pk == case.pk

"""The project's serializer bases give exactly DRF's output, only faster (carecoord/api/serializers.py)."""
import copy
import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.accounts.models import Organization
from cases.models import Case, Member, Program

FIELDS = {
    "text": serializers.CharField(),
    "email": serializers.EmailField(allow_blank=True),
    "count": serializers.IntegerField(allow_null=True),
    "flag": serializers.BooleanField(),
    "choice": serializers.ChoiceField(choices=[("a", "A"), ("b", "B")]),
    "number_choice": serializers.ChoiceField(choices=[(1, "One"), (2, "Two")]),
    "on": serializers.DateField(allow_null=True),
    "at": serializers.DateTimeField(allow_null=True),
    "at_utc": serializers.DateTimeField(default_timezone=datetime.UTC, source="at"),
    "at_text": serializers.DateTimeField(format="%d/%m/%Y %H:%M", source="at"),
    "on_text": serializers.DateField(format="%m/%d/%Y", source="on"),
    "nested_name": serializers.CharField(source="nested.name"),
    "shout": serializers.CharField(source="loud"),
    "optional": serializers.CharField(required=False),
    "with_default": serializers.CharField(default="fallback", read_only=True),
    "method": serializers.SerializerMethodField(),
    "codes": serializers.ListField(child=serializers.CharField(), allow_null=True),
}


def _pair():
    """The same fields on DRF's Serializer and on ours."""
    def method(self, obj):
        return f"method of {obj['text'] if isinstance(obj, dict) else obj.text}"

    drf = type("DrfThing", (serializers.Serializer,), {**copy.deepcopy(FIELDS), "get_method": method})
    ours = type("OurThing", (Serializer,), {**copy.deepcopy(FIELDS), "get_method": method})
    return drf, ours


def _thing(**overrides):
    values = dict(text="Ana", email="", count=3, flag=True, choice="b", number_choice=2, on=datetime.date(2026, 12, 6),
                  at=datetime.datetime(2026, 12, 6, 18, 30, tzinfo=datetime.UTC), nested=SimpleNamespace(name="inner"), loud=lambda: "called", optional="here",
                  codes=["Q90.9", "E84.0"])
    values.update(overrides)
    return SimpleNamespace(**values)


def test_output_is_drfs_for_plain_nullable_nested_callable_and_missing_values():
    drf, ours = _pair()
    cases = [
        _thing(),
        _thing(count=None, on=None, at=None, text="Ñoño <b>"),
        _thing(at=datetime.datetime(2026, 7, 1, 9, 0)),  # naive: DRF makes it aware
        _thing(at=datetime.datetime(2026, 3, 8, 10, 0, tzinfo=ZoneInfo("America/New_York")), on="2026-03-08"),
        not_exact := _thing(flag=1, count=True, text=Program.DMC_ODS, choice=Program.ECM),  # DRF's path
        _thing(count="7"),  # a string for an integer field: DRF's int()
        _thing(number_choice="1"),
        _thing(codes=None), _thing(codes=[]), _thing(codes=["Q90.9", None]), _thing(codes=[7, "E84.0"]),  # DRF's str() of 7
        _thing(codes=("Q90.9",)),  # a tuple: DRF's path
    ]
    missing = _thing()
    del missing.optional  # DRF leaves a non-required field out when the attribute is missing
    cases.append(missing)
    for instance in cases:
        assert ours(instance).data == drf(instance).data
        assert JSONRenderer().render(ours(instance).data) == JSONRenderer().render(drf(instance).data)
    assert "optional" not in ours(missing).data
    assert ours(not_exact).data["count"] == 1 and ours(not_exact).data["flag"] is True


def test_times_are_shown_in_the_requests_time_zone_as_drf_shows_them():
    drf, ours = _pair()
    instance = _thing()
    for zone in ("America/Los_Angeles", "UTC", "Asia/Kolkata"):
        with timezone.override(ZoneInfo(zone)):
            assert ours(instance).data == drf(instance).data
    with timezone.override(ZoneInfo("UTC")):
        assert ours(instance).data["at"] == "2026-12-06T18:30:00Z"
    assert ours(instance).data["at"] == "2026-12-06T10:30:00-08:00"  # the project's zone, Pacific
    assert ours(instance).data["at_utc"] == "2026-12-06T18:30:00Z"
    assert ours(instance).data["at_text"] == "06/12/2026 10:30" and ours(instance).data["on_text"] == "12/06/2026"


def test_a_mapping_goes_through_drf_whole():
    drf, ours = _pair()
    row = {"text": "Ana", "email": "a@example.org", "count": 1, "flag": False, "choice": "a", "number_choice": 1,
           "on": None, "at": None, "nested": {"name": "x"}, "loud": "quiet", "optional": "o"}
    assert ours(row).data == drf(row).data


def test_many_uses_the_same_plan_for_every_row():
    drf, ours = _pair()
    rows = [_thing(text=f"row {i}", count=i) for i in range(5)]
    assert ours(rows, many=True).data == drf(rows, many=True).data


def test_model_serializer_output_is_drfs():
    class DrfCase(serializers.ModelSerializer):
        class Meta:
            model = Case
            fields = ["id", "program", "status", "case_number", "closed_reason", "referred_at", "eligibility_date",
                      "diagnoses", "populations_of_focus", "version", "member"]

    class OurCase(ModelSerializer):
        Meta = DrfCase.Meta

    member = Member(pk=5, first_name="Ana", last_name="Reyes")
    loaded = Case(pk=1, member=member, program="ecm", status="open", case_number="ECM-1", diagnoses=["Q90.9"],
                  referred_at=datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC), version=3)
    made_in_python = Case(pk=2, member=member, program=Program.DMC_ODS, status=Case.Status.REFERRED,
                          diagnoses=None, eligibility_date=datetime.date(2026, 12, 2))
    for case in (loaded, made_in_python):
        assert OurCase(case).data == DrfCase(case).data
        assert JSONRenderer().render(OurCase(case).data) == JSONRenderer().render(DrfCase(case).data)
    assert OurCase(loaded).data["member"] == 5 and OurCase(loaded).data["referred_at"].endswith("-08:00")


def test_nested_method_and_list_fields_read_their_values_as_drf_reads_them(monkeypatch):
    """Nested serializers (an attribute, None, the object itself, many), method and list fields, a related field's
    primary key and a related object that does not exist: DRF's output, read without DRF's get_attribute but for
    the fields that read in their own way."""
    from rest_framework import fields as drf_fields

    def shape(base, plain):
        inner = type(f"{base.__name__}Ref", (plain,), {"id": serializers.IntegerField(), "name": serializers.CharField()})
        address = type(f"{base.__name__}Address", (plain,), {"city": serializers.CharField(), "zip": serializers.CharField(source="zip_code")})

        class Meta:
            model = Case
            fields = ["id", "organization", "team", "member", "address", "diagnoses", "tags", "manager", "plan"]

        return type(f"{base.__name__}Case", (base,), {
            "Meta": Meta, "organization": inner(), "team": inner(allow_null=True), "address": address(source="*"),
            "tags": inner(source="tag_list", many=True), "manager": serializers.SerializerMethodField(),
            "plan": inner(source="missing_plan", allow_null=True),
            "get_manager": lambda self, obj: f"manager of {obj.pk}"})

    drf, ours = shape(serializers.ModelSerializer, serializers.Serializer), shape(ModelSerializer, Serializer)
    case = Case(pk=7, member=Member(pk=5), diagnoses=["Q90.9", "G80.1"])
    case.organization = Organization(pk=3, name="County CCS")
    case.team = None
    case.city, case.zip_code = "Fresno", "93721"
    case.tag_list = [SimpleNamespace(id=1, name="a"), SimpleNamespace(id=2, name="b")]
    assert ours(case).data == drf(case).data
    expected = drf(case).data
    assert expected["member"] == 5 and expected["team"] is None and expected["plan"] is None
    assert expected["address"] == {"city": "Fresno", "zip": "93721"} and expected["manager"] == "manager of 7"

    read_by_drf = []
    real = drf_fields.get_attribute
    monkeypatch.setattr(drf_fields, "get_attribute", lambda instance, attrs: read_by_drf.append(attrs) or real(instance, attrs))
    assert ours(case).data == expected
    # Ours read every value itself but the missing plan, whose absence DRF's path decides (None, the field allowing
    # it); the member's primary key was read by the related field's own get_attribute, as DRF reads it.
    assert read_by_drf == [["missing_plan"]]


def test_a_model_serializer_builds_its_fields_from_the_model_once_and_gives_each_serializer_its_own(monkeypatch):
    from rest_framework.utils import model_meta

    class OurMember(ModelSerializer):
        shout = serializers.CharField(source="first_name")  # declared, not built from the model

        class Meta:
            model = Member
            fields = ["id", "first_name", "last_name", "date_of_birth", "county", "shout"]

    reads = []
    read_model = model_meta.get_field_info
    monkeypatch.setattr(model_meta, "get_field_info", lambda model: reads.append(model) or read_model(model))
    first, second = OurMember(Member(pk=1, first_name="Ana")), OurMember(Member(pk=2, first_name="Eva"))
    # The model is read once for the class, however many serializers are made
    assert list(first.fields) == list(second.fields) == ["id", "first_name", "last_name", "date_of_birth", "county", "shout"]
    assert reads == [Member]
    # and no field is shared: each is bound to its own serializer, with its own copy of what it holds
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.fields["county"].queryset is not second.fields["county"].queryset
    assert first.data["shout"] == "Ana" and second.data["shout"] == "Eva" and first.data["county"] is None


def test_a_later_serializer_of_a_class_builds_only_the_fields_drf_represents():
    drf, ours = _pair()
    assert ours(_thing()).data == drf(_thing()).data  # the first works out which fields are direct, from all of them
    # When another serializer of the class writes an object
    later = ours(_thing(text="Eva", count=None, loud="quiet", with_default="set"))
    data = later.data
    # Then it wrote DRF's output without building its direct fields, and the field it did build is its own
    assert data == drf(_thing(text="Eva", count=None, loud="quiet", with_default="set")).data
    assert "fields" not in later.__dict__
    built = {name: field for name, field, _attr, _represent in later._read_plan if field is not None}
    assert set(built) == {"number_choice", "at_text", "on_text", "nested_name", "method"}
    assert all(field.parent is later and field.field_name == name for name, field in built.items())
    # and a value of another type than its field's sends that field through DRF, as before
    assert ours(_thing(count="7")).data["count"] == 7


def test_one_fields_representation_is_drfs_direct_or_not():
    from carecoord.api.serializers import representation

    field = serializers.DateTimeField()
    field.bind(field_name="due_at", parent=Serializer())
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        write = representation(field)
        aware = datetime.datetime(2026, 12, 4, 17, 0, tzinfo=datetime.UTC)
        naive = datetime.datetime(2026, 12, 4, 9, 0)  # left to DRF, which makes it aware in the zone
        assert [write(aware), write(naive)] == [field.to_representation(aware), field.to_representation(naive)]
        assert write(aware) == "2026-12-04T09:00:00-08:00"
    # a list of texts is shown directly, a copy of the list, as DRF shows it
    codes = serializers.ListField(child=serializers.CharField())
    codes.bind(field_name="codes", parent=Serializer())
    texts = ["Q90.9", "Ñ <b>"]
    assert representation(codes) is not codes.to_representation
    assert representation(codes)(texts) == codes.to_representation(texts) and representation(codes)(texts) is not texts
    # a field no direct representation covers is DRF's own
    decimal = serializers.DecimalField(max_digits=5, decimal_places=2)
    decimal.bind(field_name="rate", parent=Serializer())
    assert representation(decimal) == decimal.to_representation

"""factory-boy factories for the core models. Apps add theirs beside their tests."""
import datetime

import factory
from django.utils import timezone
from faker import Faker

from carecoord.accounts.models import County, Organization, Team, User
from carecoord.clocks.models import ClosureDay
from cases.models import CareTeamMember, Case, ChildWelfareEpisode, Coverage, Member, MemberContact, Task


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"County {n}")
    fips_code = factory.Sequence(lambda n: f"{6000 + n:05d}")
    plan_model = County.PlanModel.MULTI_PLAN


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    type = Organization.Type.CCS_COUNTY
    county = factory.SubFactory(CountyFactory)


class PlanFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Health Plan {n}")
    type = Organization.Type.MCP
    county = None


class ProviderFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Provider {n}")
    type = Organization.Type.CCS_PHYSICIAN


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.CASE_MANAGER
    organization = factory.SubFactory(OrganizationFactory)
    team = factory.LazyAttribute(lambda u: TeamFactory(organization=u.organization) if u.role == User.Role.CASE_MANAGER else None)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SupervisorFactory(UserFactory):
    role = User.Role.SUPERVISOR
    is_staff = True


class LiaisonFactory(UserFactory):
    role = User.Role.PLAN_LIAISON
    organization = factory.SubFactory(PlanFactory)


_fake = Faker()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    first_name = factory.Faker("first_name")
    # A generated surname plus a two-letter tag: unique enough that "this member is not on the page"
    # cannot fail because a plain surname ("Page", "Case", "Lee") happens to be a word on it.
    last_name = factory.LazyAttributeSequence(lambda member, n: f"{_fake.last_name()}-{chr(65 + n % 26)}{chr(97 + n // 26 % 26)}")
    date_of_birth = factory.Faker("date_between", start_date="-17y", end_date="-1y")
    cin = factory.Sequence(lambda n: f"{90000000 + n:08d}A")
    county = factory.SubFactory(CountyFactory)
    address_line1 = factory.Faker("street_address")
    city = "Sacramento"
    zip_code = "95814"


class MemberContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberContact

    member = factory.SubFactory(MemberFactory)
    kind = MemberContact.Kind.PARENT
    name = factory.Faker("name")
    has_legal_authority = True


class ChildWelfareEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildWelfareEpisode

    member = factory.SubFactory(MemberFactory)
    kind = ChildWelfareEpisode.Kind.FOSTER_CARE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    member = factory.SubFactory(MemberFactory)
    kind = Coverage.Kind.MCP
    plan = factory.SubFactory(PlanFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    member = factory.SubFactory(MemberFactory)
    program = "ccs"
    status = Case.Status.OPEN
    organization = factory.SubFactory(OrganizationFactory)
    opened_at = factory.LazyFunction(timezone.now)


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    case = factory.SubFactory(CaseFactory)
    role = CareTeamMember.Role.SOCIAL_WORKER
    user = factory.SubFactory(UserFactory)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    title = "Call the family"


class ClosureDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureDay

    date = datetime.date(2026, 12, 24)
    county = factory.SubFactory(CountyFactory)
    reason = "County closure"

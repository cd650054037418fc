"""A user's model permissions come from the shared cache until any of them changes (``ThrottledModelBackend``)."""
import pytest
from django.contrib.auth.models import Group, Permission

from carecoord.accounts.models import User
from carecoord.accounts.roles import sync_role_groups
from tests.factories import SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings):
    from django.core.cache import cache

    settings.CACHE_SHARED_BY_PROCESSES = True  # as with Redis; the test's memory cache serves one process
    cache.clear()
    yield cache
    cache.clear()


def _may_see_dashboards(user) -> bool:
    return User.objects.get(pk=user.pk).has_perm("cases.view_dashboard")  # a fresh copy, as each request reads


def _supervisor():
    sync_role_groups()
    supervisor = SupervisorFactory()
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    return supervisor


def test_a_second_request_reads_the_permissions_from_the_cache(shared_cache, django_assert_num_queries):
    supervisor = _supervisor()
    assert _may_see_dashboards(supervisor)
    fresh = User.objects.get(pk=supervisor.pk)
    with django_assert_num_queries(0):
        assert fresh.has_perm("cases.view_dashboard") and not fresh.has_perm("cases.delete_case")


def test_every_change_to_who_holds_a_permission_is_seen_at_once(shared_cache):
    supervisor, worker = _supervisor(), UserFactory()
    group = Group.objects.get(name="supervisor")
    dashboards = Permission.objects.get(content_type__app_label="cases", codename="view_dashboard")
    assert _may_see_dashboards(supervisor) and not _may_see_dashboards(worker)
    # the user leaves the group
    supervisor.groups.remove(group)
    assert not _may_see_dashboards(supervisor)
    # is given the permission on their own
    supervisor.user_permissions.add(dashboards)
    assert _may_see_dashboards(supervisor)
    supervisor.user_permissions.clear()
    assert not _may_see_dashboards(supervisor)
    # the group gains and loses it while the worker is in it
    worker.groups.add(group)
    assert _may_see_dashboards(worker)
    group.permissions.remove(dashboards)
    assert not _may_see_dashboards(worker)
    group.permissions.add(dashboards)
    assert _may_see_dashboards(worker)
    # the group is deleted, its links with it
    group.delete()
    assert not _may_see_dashboards(worker)


def test_a_lost_version_reads_the_permissions_again(shared_cache):
    supervisor = _supervisor()
    assert _may_see_dashboards(supervisor)
    # Given the version is lost while a stale set stays (as Redis may evict one key and not the other)
    from carecoord.audit.auth import PERMISSIONS_VERSION_KEY

    shared_cache.delete(PERMISSIONS_VERSION_KEY)
    User.objects.get(pk=supervisor.pk).groups.clear()  # raises a first version: not the one the set carries
    shared_cache.delete(PERMISSIONS_VERSION_KEY)
    # Then the set is read again under a newer version, not trusted
    assert not _may_see_dashboards(supervisor)


def test_without_a_shared_cache_each_request_reads_the_tables(settings, django_assert_num_queries):
    settings.CACHE_SHARED_BY_PROCESSES = False
    supervisor = _supervisor()
    fresh = User.objects.get(pk=supervisor.pk)
    with django_assert_num_queries(2):  # the user's own permissions and their groups'
        assert fresh.has_perm("cases.view_dashboard")


# ---------------------------------------------------------------- the signed-in user, from the shared cache

def _signed_in_user(user):
    from carecoord.audit.auth import ThrottledModelBackend

    return ThrottledModelBackend().get_user(user.pk)


def test_a_later_request_reads_the_signed_in_user_and_organization_from_the_cache(shared_cache, django_assert_num_queries):
    supervisor = _supervisor()
    assert _signed_in_user(supervisor).organization_id == supervisor.organization_id
    with django_assert_num_queries(0):
        cached = _signed_in_user(supervisor)
        assert cached.pk == supervisor.pk and cached.organization.name == supervisor.organization.name


def test_a_change_to_the_user_or_their_organization_is_read_at_once(shared_cache):
    supervisor = _supervisor()
    assert _signed_in_user(supervisor) is not None
    # the organization is renamed
    organization = supervisor.organization
    organization.name = "Renamed County CCS"
    organization.save()
    assert _signed_in_user(supervisor).organization.name == "Renamed County CCS"
    # the user is deactivated: no user any more
    supervisor.is_active = False
    supervisor.save()
    assert _signed_in_user(supervisor) is None
    # and a deleted user is gone
    worker = UserFactory()
    assert _signed_in_user(worker) is not None
    worker.delete()
    assert _signed_in_user(worker) is None


def test_a_copy_read_before_a_change_is_not_put_back_after_it(shared_cache):
    from carecoord.audit.auth import USER_SECONDS, _read_through, _user_keys

    supervisor = _supervisor()

    def read_then_deactivate():  # a request in flight reads the user; the user is deactivated before it stores them
        stale = User.objects.select_related("organization").get(pk=supervisor.pk)
        supervisor.is_active = False
        supervisor.save()
        return stale

    assert _read_through(*_user_keys(supervisor.pk), read_then_deactivate, USER_SECONDS).is_active
    # Then the change holds: the next request reads the user from the database, not the stored copy
    assert _signed_in_user(supervisor) is None


def test_the_signed_in_user_comes_with_their_permissions_in_one_cache_read(shared_cache, django_assert_num_queries):
    from unittest import mock

    supervisor = _supervisor()
    _signed_in_user(supervisor).has_perm("cases.view_dashboard")  # stores both copies
    # When a later request reads the signed-in user and then asks for a permission (every page's menu)
    with mock.patch.object(shared_cache, "get_many", wraps=shared_cache.get_many) as reads, django_assert_num_queries(0):
        user = _signed_in_user(supervisor)
        assert user.has_perm("cases.view_dashboard") and not user.has_perm("cases.delete_case")
    # Then the cache was read once, for both
    assert reads.call_count == 1


def test_a_permission_set_stored_for_another_account_with_the_same_id_is_read_again(shared_cache):
    import datetime

    supervisor = _supervisor()
    assert _may_see_dashboards(supervisor)
    # Given a database rebuilt under the cache: the same id is now someone else, created at another time
    supervisor.groups.clear()
    User.objects.filter(pk=supervisor.pk).update(date_joined=supervisor.date_joined - datetime.timedelta(days=1))
    from carecoord.audit.auth import PERMISSIONS_VERSION_KEY, _permissions_key

    stamp, permissions = shared_cache.get(_permissions_key(supervisor.pk))
    shared_cache.set(PERMISSIONS_VERSION_KEY, stamp[0])  # the version the copy carries, as if nothing changed
    # Then the copy is not theirs, and their own permissions are read
    assert "cases.view_dashboard" in permissions and not _may_see_dashboards(supervisor)

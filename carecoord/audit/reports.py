"""The member access report and the user access report (supervisors and administrators).

For one member: every access event that showed them and every change to their records.
For one user: every member they were shown, flagging reads outside their caseload
(members reached only through a share or a break-glass grant, or no longer reachable at
all) and bursts of many distinct members in a short time.
"""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from carecoord.accounts.models import User

from .history import member_change_history
from .models import AccessEvent

# Reads that look at one member at a time (lists show many members by design).
FOCUSED_ACTIONS = ("view", "download", "export", "print", "api", "break_glass")


def burst_threshold() -> tuple[int, timedelta]:
    return (int(settings.CARECOORD.get("AUDIT_BURST_MEMBERS", 20)),
            timedelta(minutes=int(settings.CARECOORD.get("AUDIT_BURST_MINUTES", 60))))


def may_review(viewer) -> bool:
    return viewer.is_active and (viewer.is_superuser or viewer.role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR))


def reviewable_users(viewer):
    """Whose access a viewer may review: a supervisor their organization, an administrator everyone."""
    if not may_review(viewer):
        return User.objects.none()
    if viewer.is_superuser or viewer.role == User.Role.ADMINISTRATOR:
        return User.objects.all()
    return User.objects.filter(organization_id=viewer.organization_id) if viewer.organization_id else User.objects.none()


def reviewable_members(viewer):
    """Whose access report a viewer may read: a supervisor the members they can see, an administrator all."""
    from cases.models import Member
    from cases.selectors import member_list_visible_to

    if not may_review(viewer):
        return Member.objects.none()
    if viewer.is_superuser or viewer.role == User.Role.ADMINISTRATOR:
        return Member.objects.all()
    return member_list_visible_to(user=viewer)


def member_access_events(*, member_id, start: datetime, end: datetime):
    return (AccessEvent.objects.filter(members__shows=member_id, occurred_at__gte=start, occurred_at__lt=end)
            .order_by("-occurred_at"))


@dataclass
class MemberAccessReport:
    member: object
    start: datetime
    end: datetime
    events: list
    changes: list
    people: list = field(default_factory=list)  # (username, user_id, reads, changes, part2)


def member_access_report(*, member, start: datetime, end: datetime) -> MemberAccessReport:
    events = list(member_access_events(member_id=member.pk, start=start, end=end))
    changes = member_change_history(member=member, start=start, end=end)
    people: dict = {}
    for event in events:
        row = people.setdefault((event.user_id, event.username), {"reads": 0, "changes": 0, "part2": False})
        row["reads"] += 1
        row["part2"] = row["part2"] or event.part2
    for change in changes:
        row = people.setdefault((change.user_id, change.user), {"reads": 0, "changes": 0, "part2": False})
        row["changes"] += 1
        row["part2"] = row["part2"] or change.part2
    summary = sorted(
        ({"user_id": uid, "username": name, **counts} for (uid, name), counts in people.items()),
        key=lambda r: (-(r["reads"] + r["changes"]), r["username"] or ""),
    )
    return MemberAccessReport(member=member, start=start, end=end, events=events, changes=changes, people=summary)


@dataclass
class MemberRead:
    member_id: int
    first_at: datetime
    last_at: datetime
    count: int = 0
    actions: Counter = field(default_factory=Counter)
    part2: bool = False
    outside_caseload: bool = False
    burst: bool = False
    name: str = ""


@dataclass
class UserAccessReport:
    subject: object
    start: datetime
    end: datetime
    members: list
    bursts: list  # (window start, window end, distinct members)
    events: list

    @property
    def flagged(self) -> list:
        return [m for m in self.members if m.outside_caseload or m.burst]


def caseload_member_ids(subject, member_ids) -> set[int]:
    """Which of ``member_ids`` the subject reaches through relations (not shares or grants)."""
    from cases.models import Case
    from cases.selectors import active_plan_coverage, case_visibility_q

    condition = case_visibility_q(subject, exceptions=False)
    if condition is None:
        return set()
    ids = set(Case.objects.filter(condition, member_id__in=member_ids).values_list("member_id", flat=True))
    if subject.role == User.Role.PLAN_LIAISON and subject.organization_id:
        from cases.models import Member

        ids |= set(Member.objects.filter(active_plan_coverage(plan_id=subject.organization_id), pk__in=member_ids)
                   .values_list("pk", flat=True))
    return ids


def find_bursts(reads: list[tuple[datetime, int]], *, limit: int, window: timedelta):
    """Windows in which more than ``limit`` distinct members were read; and those members."""
    bursts, flagged = [], set()
    in_window: deque = deque()
    counts: Counter = Counter()
    for at, member_id in sorted(reads):
        in_window.append((at, member_id))
        counts[member_id] += 1
        while in_window and in_window[0][0] <= at - window:
            _old_at, old_member = in_window.popleft()
            counts[old_member] -= 1
            if not counts[old_member]:
                del counts[old_member]
        if len(counts) > limit:
            flagged.update(counts)
            if bursts and bursts[-1][0] == in_window[0][0]:
                bursts[-1] = (in_window[0][0], at, len(counts))
            else:
                bursts.append((in_window[0][0], at, len(counts)))
    return bursts, flagged


def user_access_report(*, subject, start: datetime, end: datetime, viewer) -> UserAccessReport:
    from cases.models import Member

    events = list(AccessEvent.objects.filter(user=subject, occurred_at__gte=start, occurred_at__lt=end)
                  .order_by("-occurred_at"))
    by_member: dict[int, MemberRead] = {}
    focused: list[tuple[datetime, int]] = []
    for event in events:
        for member_id in event.members:
            read = by_member.get(member_id)
            if read is None:
                read = by_member[member_id] = MemberRead(member_id, event.occurred_at, event.occurred_at)
            read.first_at, read.last_at = min(read.first_at, event.occurred_at), max(read.last_at, event.occurred_at)
            read.count += 1
            read.actions[event.action] += 1
            read.part2 = read.part2 or event.part2
            if event.action in FOCUSED_ACTIONS:
                focused.append((event.occurred_at, member_id))
    caseload = caseload_member_ids(subject, list(by_member))
    limit, window = burst_threshold()
    bursts, burst_members = find_bursts(focused, limit=limit, window=window)
    # Names only of members the reviewer may see; the others are shown by id.
    visible = reviewable_members(viewer).filter(pk__in=list(by_member))
    names = {m.pk: str(m) for m in Member.objects.filter(pk__in=visible.values("pk"))}
    for read in by_member.values():
        read.outside_caseload = read.member_id not in caseload
        read.burst = read.member_id in burst_members
        read.name = names.get(read.member_id, "")
    members = sorted(by_member.values(), key=lambda r: (not (r.outside_caseload or r.burst), -r.last_at.timestamp()))
    return UserAccessReport(subject=subject, start=start, end=end, members=members, bursts=bursts, events=events)


def recent_flags_q():
    """Access events a reviewer looks at first: break-glass grants and Part 2 reads."""
    return Q(action=AccessEvent.Action.BREAK_GLASS) | Q(part2=True)


def member_section_context(member, user) -> dict:
    """The member page's access tab: the last ten reads for reviewers, a notice for everyone else."""
    if not may_review(user):
        return {"may_review": False}
    recent = list(AccessEvent.objects.filter(members__shows=member.pk).order_by("-seq")[:10])
    return {"may_review": True, "recent_access": recent}

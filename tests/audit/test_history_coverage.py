"""Every domain model keeps a change history (django-simple-history), so the per-member change
report is complete. Models listed in EXEMPT are append-only logs (their rows are never
changed, so the rows are their own history) or carry no member data."""
from carecoord.audit.history import member_history_models, models_without_history

DOMAIN_APPS = ["accounts", "cases", "referrals", "consents", "transitions", "notices", "audit", "directory"]

EXEMPT = {
    # Append-only event logs: each row is written once and never changed.
    "cases.TimelineEntry": "append-only case timeline",
    "cases.ProblemItemEvent": "append-only problem log events",
    "referrals.ReferralEvent": "append-only referral loop events",
    "notices.NoticeEvent": "append-only notice delivery events",
    "consents.Disclosure": "append-only accounting of disclosures",
    "transitions.TransitionStep": "append-only transition checklist steps",
    # Written once by cases.documents.document_upload and never changed by the app; the file
    # itself is content-addressed (sha256).
    "cases.Document": "immutable upload",
    # Permission rows and the audit trail itself.
    "cases.CaseUserObjectPermission": "share grants; audited as access events",
    "audit.AccessEvent": "the hash-chained audit trail is append-only",
    "audit.AuditChainHead": "chain bookkeeping",
    "audit.TwoFactorDevice": "holds a secret that must not be copied into history",
    "accounts.ApiToken": "holds a token digest; issued once, then only revoked (revoked_at kept on the row)",
    "cases.MemberName": "the member search's name dictionary, derived from the members by database triggers: "
                        "names are only added, and the members' own history records who had which name",
    "directory.Service": "the vocabulary of needs; no member data",
    "directory.UnmetNeed": "append-only log of needs that found no provider",
}


def test_every_domain_model_keeps_history():
    missing = [label for label in models_without_history(DOMAIN_APPS) if label not in EXEMPT]
    assert not missing, (
        "Domain models without `history = HistoricalRecords()` (add it and a migration, or list the model in "
        f"EXEMPT with the reason): {missing}"
    )


def test_member_history_reaches_the_core_records():
    labels = {model._meta.label for model, _paths in member_history_models()}
    assert {"cases.Member", "cases.Coverage", "cases.Case", "cases.CareTeamMember", "cases.MemberContact"} <= labels

"""Care network pages: search, provider detail, import/export, utilization picture, gaps report."""
import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.audit.access import record_access
from carecoord.errors import RuleViolation
from cases.selectors import case_get_for_user, member_get_for_user, require_case_change

from . import selectors, services
from .forms import ConcurrentReviewForm, ImportForm, MedicalReportForm, SearchForm, UnmetNeedForm
from .models import ProviderProfile


class _Echo:
    def write(self, value):
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def search(request):
    form = SearchForm(request.GET or None)
    member = hits = None
    if form.is_valid():
        data = form.cleaned_data
        if data.get("member"):
            member = member_get_for_user(user=request.user, member_id=data["member"])
            record_access(request, members=[member], action="view")
        hits = selectors.provider_search(
            service=data["service"].code if data["service"] else None, county=data["county"], language=data["language"] or None,
            plan=data["plan"], origin=selectors.member_origin(member), max_miles=data["max_miles"],
            accepting_only=data["accepting_only"], ccs_paneled_only=data["ccs_paneled_only"],
        )
        program = request.GET.get("program", "")
        for hit in hits:
            hit.warnings = selectors.provider_fit_warnings(hit.profile.organization, member=member, program=program)
    unmet_form = UnmetNeedForm(initial={**request.GET.dict()}) if hits == [] else None
    return render(request, "directory/search.html", {"form": form, "hits": hits, "member": member, "unmet_form": unmet_form})


def provider_detail(request, profile_id: int):
    profile = get_object_or_404(ProviderProfile.objects.select_related("organization"), pk=profile_id)
    return render(request, "directory/provider_detail.html", {"profile": profile})


def unmet_need_record(request):
    form = UnmetNeedForm(request.POST)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, _("Choose the need and the county."))
        return redirect("directory:search")
    data = form.cleaned_data
    member = member_get_for_user(user=request.user, member_id=data["member"]) if data.get("member") else None
    services.unmet_need_record(county=data["county"], service=data["service"], language=data["language"], member=member,
                               note=data["note"], recorded_by=request.user)
    messages.success(request, _("The unmet need is recorded for the gaps report."))
    return redirect("directory:search")


@permission_required("directory.add_providerprofile", raise_exception=True)
def import_csv(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.directory_import_csv(text=form.cleaned_data["file"])
        if report.ok:
            messages.success(request, _("Imported: %(created)d new, %(updated)d updated.") % {"created": report.created, "updated": report.updated})
            return redirect("directory:search")
    return render(request, "directory/import.html", {"form": form, "report": report})


def export_csv(request):
    return _csv_response(services.directory_export_rows(), "directory.csv")


def utilization(request, member_id: int):
    member = member_get_for_user(user=request.user, member_id=member_id)
    context = selectors.utilization_section_context(member, request.user)
    record_access(request, members=[member], action="view")
    return render(request, "directory/utilization.html", {"member": member, **context})


def concurrent_review_add(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    require_case_change(user=request.user, case=case)
    form = ConcurrentReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concurrent_review_record(case=case, reviewed_by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Inpatient review recorded."))
            return redirect("directory:utilization", case.member_id)
    return render(request, "directory/form.html", {"form": form, "case": case, "title": _("Review an inpatient stay")})


def medical_report_send(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    require_case_change(user=request.user, case=case)
    form = MedicalReportForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.medical_report_send(document=form.cleaned_data["document"], author=form.cleaned_data["author"],
                                         channel=form.cleaned_data["channel"], sent_by=request.user)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The report is on its way to the primary care provider."))
            return redirect("directory:utilization", case.member_id)
    return render(request, "directory/form.html", {"form": form, "case": case, "title": _("Send a medical report to the PCP")})


def _period(request):
    today = timezone.localdate()
    try:
        start = timezone.datetime.fromisoformat(request.GET["start"]).date() if request.GET.get("start") else today.replace(day=1, month=1)
        end = timezone.datetime.fromisoformat(request.GET["end"]).date() if request.GET.get("end") else today
    except ValueError:
        raise Http404("Bad date") from None
    return start, end


def gaps(request):
    start, end = _period(request)
    rows = list(selectors.gaps_report(start=start, end=end))
    if request.GET.get("format") == "csv":
        header = [["county", "service", "language", "count"]]
        return _csv_response(header + [[r["county__name"], r["service__name"], r["language"], r["count"]] for r in rows], "gaps.csv")
    return render(request, "directory/gaps.html", {"rows": rows, "start": start, "end": end})

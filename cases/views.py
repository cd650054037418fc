"""Browser views for members and cases. Thin: selector in, service call, render."""
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import render

from carecoord.clocks.selectors import bucket_of, deadline_queue_for

from .selectors import document_get_for_user, member_list_visible_to


def work_queue(request):
    deadlines = list(deadline_queue_for(user=request.user)[:200])
    for deadline in deadlines:
        deadline.bucket = bucket_of(deadline.due_at)
    return render(request, "cases/work_queue.html", {"deadlines": deadlines})


def member_search(request):
    q = request.GET.get("q", "").strip()
    members = member_list_visible_to(user=request.user)
    if q:
        members = members.filter(Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(cin__iexact=q))
    return render(request, "cases/member_search.html", {"q": q, "members": members.select_related("county")[:50]})


def document_download(request, document_id: int):
    """Stream a document after the access check; never a public URL."""
    document = document_get_for_user(user=request.user, document_id=document_id)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                            filename=document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response

"""The town's help page: its questions and answers by category, and the answers to a
question typed in the resident's own words. Open to everyone, signed in or not:
registration problems happen before there is an account."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from waterportal.helpcentre import queries
from waterportal.tenants.decorators import tenant_required

# A question longer than this is cut: nobody types more, and the scoring stays cheap.
MAX_QUESTION = 200


# Never cached: the header differs for a signed-in member, and the question is theirs.
@require_safe
@tenant_required
@never_cache
def help_page(request):
    # The question is read, answered and forgotten: not stored, not logged (it may hold
    # a name or an address the resident typed).
    question = " ".join(request.GET.get("q", "").split())[:MAX_QUESTION]
    categories = queries.published_help(request.tenant)
    context = {"categories": categories, "question": question}
    if question:
        context["answers"] = queries.answers(request.tenant, question)
        # A question counts once: GET only (a HEAD shows nothing to anyone), once per
        # session.
        if request.method == "GET" and queries.first_time_asked(
            request.session, request.tenant, question
        ):
            queries.count_search(request.tenant, answered=bool(context["answers"]))
    return render(request, "helpcentre/help.html", context)

"""The page that asks a member to accept a new 利用規約 or 個人情報の取り扱い."""

from dataclasses import dataclass

from django.shortcuts import redirect, render

from waterportal.accounts import actions
from waterportal.accounts.decorators import member_page_before_texts
from waterportal.accounts.views.login import safe_next_page
from waterportal.lib.sources import client_ip
from waterportal.tenants import versions
from waterportal.tenants.models import TextVersion


@dataclass
class Change:
    version: TextVersion
    added: list[str]
    removed: list[str]
    first_time: bool  # the member never accepted an earlier version of this text


def _changes(member, pending: list[TextVersion]) -> list[Change]:
    result = []
    for version in pending:
        before = versions.previously_accepted(member, version)
        added, removed = versions.changes(before.text if before else "", version.text)
        result.append(Change(version, added, removed, first_time=before is None))
    return result


@member_page_before_texts
def texts_accept(request):
    member, target = request.user, safe_next_page(request)
    if request.method == "POST":
        actions.do_accept_text_versions(
            member, request.POST.getlist("version"), source=client_ip(request)
        )
    pending = versions.pending_versions(member)
    if not pending:
        return redirect(target or "billing:home")
    # Asked again after a POST only when a newer version was published meanwhile.
    return render(
        request,
        "accounts/texts_accept.html",
        {"changes": _changes(member, pending), "next_page": target},
    )

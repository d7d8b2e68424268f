from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from waterportal.lib import devmail
from waterportal.lib.problems import problem_response


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # An address under the API that no operation has: answered as the API answers.
        return problem_response(404, "not_found", gettext("見つかりません。"))
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors can be trusted here (the database may be the cause), so
    # the template gets only the tenant the middleware already resolved, if any.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({"tenant": getattr(request, "tenant", None)}), status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def _development_only() -> None:
    # urls.py adds the mailbox routes only when DEBUG; this second guard keeps the pages
    # closed if they are ever routed some other way.
    if not settings.DEBUG:
        raise Http404


def dev_mailbox(request):
    """Development only: the mails DevMailboxBackend kept, newest first."""
    _development_only()
    mails = devmail.list_mails(settings.DEV_MAILBOX_DIR)
    return render(request, "dev/mailbox.html", {"mails": mails})


def dev_mailbox_message(request, name: str):
    """Development only: one kept mail, its text body decoded."""
    _development_only()
    mail = devmail.read_mail(settings.DEV_MAILBOX_DIR, name)
    if mail is None:
        raise Http404
    return render(request, "dev/mailbox_message.html", {"mail": mail})

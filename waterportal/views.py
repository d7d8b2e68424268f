from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors can be trusted here (the database may be the cause), so
    # the template gets only the tenant the middleware already resolved, if any.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({"tenant": getattr(request, "tenant", None)}), status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def dev_mailbox(request):
    return HttpResponse("TODO")


def dev_mailbox_message(request, name):
    return HttpResponse("TODO")

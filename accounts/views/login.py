from django.http import HttpResponse


def login_view(request):
    return HttpResponse("TODO")


def logout_view(request):
    return HttpResponse("TODO")

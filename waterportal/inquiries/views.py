from django.http import Http404


def new(request):
    # Until inquiries land: the address exists so other pages can link to it.
    raise Http404

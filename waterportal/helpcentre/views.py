from django.http import Http404


def help_page(request):
    # Until the help centre lands: the address exists so other pages can link to it.
    raise Http404

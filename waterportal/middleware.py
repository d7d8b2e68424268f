"""The language of a page: Japanese, unless the resident chose English or やさしい日本語.

Django's LocaleMiddleware would also follow the browser's ``Accept-Language`` header, so
a phone set up in English (a shop's default, a grandchild's old phone) would get English
pages nobody asked for, while the town's printed guide, its staff on the phone and every
email and PDF speak Japanese. The portal is Japanese first: only the resident's own
choice, made with the footer's 「日本語」/「やさしい日本語」/「English」 switch (Django's ``set_language``
view, which stores it in the language cookie), changes the language. The header is
ignored on purpose.

The admin stays Japanese whatever the cookie says: staff pages are not translated. The
town's console (/staff) has Japanese and English only: a resident's やさしい日本語 cookie
shows it in Japanese (its texts are the staff's working words, not written for residents).
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from waterportal.lib import easy_japanese

JAPANESE_ONLY_PREFIXES = ("/admin/",)
NO_EASY_JAPANESE_PREFIXES = ("/staff/", "/staff")


def chosen_language(request) -> str:
    """The language in the cookie if the portal offers it, else Japanese."""
    if request.path.startswith(JAPANESE_ONLY_PREFIXES):
        return settings.LANGUAGE_CODE
    language = page_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if easy_japanese.is_easy(language) and request.path.startswith(NO_EASY_JAPANESE_PREFIXES):
        return settings.LANGUAGE_CODE
    return language


def page_language(code: str | None) -> str:
    """The language a resident's page is in for the choice ``code`` (the cookie's, or
    the one noted on the member, ``User.language``): one the portal offers, else
    Japanese."""
    if code:
        try:
            # Only the languages of settings.LANGUAGES: set_language itself would store
            # any language Django knows ("fr"), which must not change anything here.
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """In place of LocaleMiddleware: the cookie's choice or Japanese, never the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        # override() restores the thread's previous language afterwards, so nothing of
        # one request's choice leaks into work done outside a request on the same thread.
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        if easy_japanese.is_easy(language):
            # Readings become ruby (or brackets) only now that their place is known.
            easy_japanese.rewrite_response(response)
            language = easy_japanese.HTML_LANG
        response.headers.setdefault("Content-Language", language)
        return response

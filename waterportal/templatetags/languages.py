"""The page's declared language: {{ LANGUAGE_CODE|html_lang }}."""

from django import template

from waterportal.lib import easy_japanese

register = template.Library()


@register.filter
def html_lang(code: str) -> str:
    """``<html lang>`` for a language of the portal: やさしい日本語 is Japanese ("ja")."""
    return easy_japanese.HTML_LANG if easy_japanese.is_easy(code) else code

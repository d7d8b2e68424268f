"""The app's lines in every resident page's ``<head>`` (``{% load pwa %}{% pwa_head %}``)."""

from django import template

from waterportal.pwa.views import app_name, icon_url

register = template.Library()


@register.inclusion_tag("pwa/_head.html", takes_context=True)
def pwa_head(context):
    """The manifest, the colour and the iPhone's icon and name of the page's town, and the
    script that registers the service worker; nothing before the town is open."""
    tenant = context.get("tenant")
    if tenant is None or not tenant.is_published:
        return {"tenant": None}
    return {
        "tenant": tenant,
        "short_name": app_name(tenant)[1],
        "apple_icon": icon_url(tenant, "apple-touch-icon"),
    }

"""A town's addresses that name the town, so they work in any browser."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def with_town(path: str, tenant) -> str:
    """``path`` with ``?tenant=<slug>`` added when it names no town yet.

    A bookmark, or the page to come back to after the login, opened in a browser that has
    never seen the town (a new phone, a cleared browser) has only its address to go by:
    without the town in it, the resident would get the "which town?" page.
    """
    if tenant is None:
        return path
    parts = urlsplit(path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "tenant" for name, _ in query):
        return path
    return urlunsplit(parts._replace(query=urlencode([*query, ("tenant", tenant.slug)])))

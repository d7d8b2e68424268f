"""The home page's cards drawn ahead of the members' next view.

After an import the town's cards version changes (``tenants.freshness``), so every
member's cards are drawn again on their next view, and the members come all at once:
minutes after the new-bill email. So each batch of new-bill emails, on a worker, first
draws the cards of its members, then has its emails sent
(``exchange.actions.cards_then_emails``). The cards are kept where the home page looks:
the same ``{% cache %}`` fragments of ``billing/home.html``, under the same keys (member,
the language of the member's pages, the day, the cards version), with the same content.
The home page then reads them as if the member had been there already.

The bills of a whole batch are read in the home page's two queries
(``services.home_cards_of``; two for each language among the batch's members), and the
fragments' own nodes of the template are rendered, so that what is kept is exactly what
the page would have kept. The version is taken before any data is read, as the page
takes it: cards drawn while another change is made are kept under the old version,
which nobody asks for again.
"""

import logging
from collections.abc import Iterable
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.templatetags.cache import CacheNode
from django.utils import translation

from waterportal.billing import services
from waterportal.middleware import page_language
from waterportal.tenants import freshness
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

HOME_TEMPLATE = "billing/home.html"


def _fragments():
    """The compiled home template and its ``{% cache %}`` nodes."""
    # The Django engine's own Template, under the backend's wrapper.
    template = get_template(HOME_TEMPLATE).template  # type: ignore[attr-defined]
    return template, template.nodelist.get_nodes_by_type(CacheNode)


def warm_home(tenant: Tenant, members: Iterable[tuple[int, str]]) -> int:
    """Draw and keep the home page's cards of ``members``, ``(member id, User.language)``
    of ``tenant``, as their next view would; returns how many fragments were kept."""
    members = list(members)
    if not members or settings.HOME_CACHE_SECONDS <= 0:
        return 0
    # Taken before any data is read (see waterportal.tenants.freshness).
    version = freshness.cards_version(tenant.pk)
    today = services.today_in_japan()
    template, nodes = _fragments()
    by_language: dict[str, list[int]] = {}
    for member_id, chosen in members:
        by_language.setdefault(page_language(chosen), []).append(member_id)
    kept: dict[str, object] = {}
    timeout = None
    for language, member_ids in by_language.items():
        # In the members' language from the start: the cards' payment texts are written
        # when the cards are drawn, as the view draws them inside its language.
        with translation.override(language):
            cards_of = services.home_cards_of(member_ids, tenant, today)
            for member_id in member_ids:
                cards = cards_of[member_id]
                # What the view gives the template (billing.views.home), and what the
                # fragments read of the context processors': the tenant. The member only
                # for its id.
                context = Context(
                    {
                        "user": SimpleNamespace(pk=member_id),
                        "tenant": tenant,
                        "cards": cards,
                        "summary": services.HomeSummary(cards),
                        "today": today,
                        "cards_version": version,
                        "cards_cache_seconds": settings.HOME_CACHE_SECONDS,
                        "LANGUAGE_CODE": language,
                    }
                )
                with context.render_context.push_state(template), context.bind_template(template):
                    for node in nodes:
                        # The key as CacheNode.render makes it, from the tag's arguments.
                        vary_on = [var.resolve(context) for var in node.vary_on]
                        key = make_template_fragment_key(node.fragment_name, vary_on)
                        timeout = int(node.expire_time_var.resolve(context))
                        kept[key] = node.nodelist.render(context)
    caches["template_fragments"].set_many(kept, timeout)
    return len(kept)


def warm_home_quietly(tenant: Tenant, members: Iterable[tuple[int, str]]) -> int:
    """``warm_home`` for work that must go on whatever becomes of it (the new-bill
    emails): a failure is logged, the cards are then drawn on the members' next view,
    and the caller's transaction is left as it was (a savepoint)."""
    try:
        with transaction.atomic():
            return warm_home(tenant, members)
    except Exception:
        log.warning("the home cards of %s could not be drawn ahead", tenant.slug, exc_info=True)
        return 0

"""What a member may see of their contracts' bills, and the figures shown with each bill.

Every read of the member's side goes through here: which links are visible (theirs, not
revoked, active from today in Japan), the latest bill of each with its comparisons, the
history of one contract, one bill. Each function runs a fixed number of queries however
many contracts and periods there are (tests hold them to it).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waterportal.billing import formatting
from waterportal.billing.models import Bill, Payment
from waterportal.billing.texts import PaymentState, payment_state, reading_status, short_state
from waterportal.contracts.models import Customer, Link
from waterportal.tenants.calendar import local_date
from waterportal.tenants.models import Tenant

# The same period a year earlier: twelve billing months back (bi-monthly readings fall in
# the same parity of months, so twelve works for both reading cycles).
YEAR = 12


def today_in_japan(now: dt.datetime | None = None) -> dt.date:
    return local_date(now or timezone.now())


def add_months(first_day: dt.date, n: int) -> dt.date:
    index = first_day.year * 12 + first_day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def member_links(member) -> QuerySet[Link]:
    """The member's links that are not revoked, pending ones included (the home shows them)."""
    return Link.objects.filter(member=member, tenant_id=member.tenant_id, revoked_at__isnull=True)


def visible_link(member, link_id: int, today: dt.date) -> Link | None:
    """The member's link ``link_id`` if they may see its bills today, else None.

    Someone else's link, a revoked one, one of another tenant and one not active yet all
    give None alike, so the views answer 404 and never tell which it was.
    """
    return (
        member_links(member)
        .filter(pk=link_id, active_from__lte=today)
        .select_related("customer")
        .first()
    )


# What a bill is compared with, as in 「前回（2026年9月分）より」.
PREVIOUS = _("前回")
YEAR_AGO = _("前年同期")


@dataclass(frozen=True)
class Comparison:
    label: str  # 前回 / 前年同期
    month: dt.date
    usage_diff: int
    amount_diff: int

    @property
    def usage_text(self) -> str:
        return formatting.signed_m3(self.usage_diff)

    @property
    def amount_text(self) -> str:
        return formatting.signed_yen(self.amount_diff)


@dataclass
class BillView:
    """A bill with what the pages show around it."""

    bill: Bill
    state: PaymentState
    previous: Bill | None = None
    year_ago: Bill | None = None
    comparisons: list[Comparison] = field(default_factory=list)

    def __post_init__(self) -> None:
        for label, other in ((PREVIOUS, self.previous), (YEAR_AGO, self.year_ago)):
            if other is not None:
                self.comparisons.append(
                    Comparison(
                        str(label),  # in the language of the page being made
                        other.billing_month,
                        self.bill.usage_m3 - other.usage_m3,
                        self.bill.amount - other.amount,
                    )
                )

    @property
    def daily_average(self) -> Decimal | None:
        """使用水量 / 使用日数 in m³, to one decimal (rounded half up); None without 使用日数."""
        return daily_average(self.bill)

    @property
    def daily_litres(self) -> int | None:
        if not self.bill.days:
            return None
        return int((Decimal(self.bill.usage_m3 * 1000) / self.bill.days).quantize(1, ROUND_HALF_UP))

    @property
    def reading_status_text(self) -> str:
        return reading_status(self.bill.reading_status)

    @property
    def month_slug(self) -> str:
        return formatting.month_slug(self.bill.billing_month)


def daily_average(bill: Bill) -> Decimal | None:
    if not bill.days:
        return None
    return (Decimal(bill.usage_m3) / bill.days).quantize(Decimal("0.1"), ROUND_HALF_UP)


def payment_of(bill: Bill) -> Payment | None:
    try:
        return bill.payment
    except Payment.DoesNotExist:
        return None


def _bill_view(
    bill: Bill, window: list[Bill], customer: Customer, tenant, today: dt.date
) -> BillView:
    """``window``: the customer's bills newest first, from ``bill`` back to at least its
    previous period and the same month a year earlier (when they exist)."""
    year_ago_month = add_months(bill.billing_month, -YEAR)
    earlier = [b for b in window if b.billing_month < bill.billing_month]
    return BillView(
        bill=bill,
        state=payment_state(bill, payment_of(bill), customer.payment_method, tenant, today),
        previous=earlier[0] if earlier else None,
        year_ago=next((b for b in earlier if b.billing_month == year_ago_month), None),
    )


@dataclass
class ContractCard:
    link: Any  # a Link, annotated with latest_month and previous_month by home_cards
    pending: bool
    latest: BillView | None = None

    @property
    def customer(self) -> Customer:
        return self.link.customer

    @property
    def ended(self) -> bool:
        return self.link.customer.status == Customer.Status.ENDED

    @property
    def active_from_text(self) -> str:
        return formatting.date(self.link.active_from, weekday=True)

    @property
    def label(self) -> str:
        """How the summary names the contract: its address, else its masked number."""
        return self.customer.address or f"{gettext('使用者番号')} {self.customer.masked_number}"

    @property
    def owes(self) -> bool:
        """Whether the latest bill is still to be paid or debited (counted in the total)."""
        return self.latest is not None and self.latest.state.kind in OWED

    @property
    def due_text(self) -> str:
        """The summary's date: 「引き落とし予定日 11月30日」 for a debit, else 「納期限 …」."""
        if self.latest is None:
            return ""
        bill = self.latest.bill
        values = {"date": formatting.month_day(bill.due_date)}
        if self.latest.state.kind == "scheduled":
            return gettext("引き落とし予定日 %(date)s") % values
        if self.customer.payment_method == Customer.Payment.DEBIT:
            return gettext("引き落とし日 %(date)s") % values
        return gettext("納期限 %(date)s") % values

    @property
    def summary_status(self) -> str:
        """The summary's few plain words of where the contract stands."""
        if self.pending:
            return gettext("準備中（%(date)sから表示）") % {
                "date": formatting.month_day(self.link.active_from)
            }
        if self.latest is None:
            return gettext("検針結果はまだありません")
        return short_state(self.latest.state.kind)


# The payment states of a bill still to be paid or debited: the summary's total adds these.
# 「引き落とし結果の確認中」 is left out: the debit day has passed and the money is normally
# taken; counting it again would overstate what the resident still owes.
OWED = frozenset({"scheduled", "due", "overdue", "debit_failed"})


@dataclass(frozen=True)
class HomeSummary:
    """The home page's first lines when a member has several contracts."""

    cards: list[ContractCard]

    @property
    def total_due(self) -> int:
        return sum(card.latest.bill.amount for card in self.cards if card.owes and card.latest)

    @property
    def shown(self) -> bool:
        """One contract needs no summary: its card is the page."""
        return len(self.cards) > 1


def home_cards(member, tenant: Tenant, today: dt.date) -> list[ContractCard]:
    """One card per link of ``member``, each active one with its latest bill. Two queries:
    the links with the months of their latest and previous bills, then those bills and
    the ones a year earlier, for every card at once."""
    return _cards(_annotated_links(member_links(member)), tenant, today)


def home_cards_of(
    member_ids: list[int], tenant: Tenant, today: dt.date
) -> dict[int, list[ContractCard]]:
    """``home_cards`` for many members of ``tenant`` at once (their cards drawn ahead of
    their next view: ``billing.warming``), in the same two queries; a member without a
    link gets an empty list."""
    links = Link.objects.filter(
        member_id__in=member_ids, tenant_id=tenant.pk, revoked_at__isnull=True
    )
    by_member: dict[int, list[ContractCard]] = {pk: [] for pk in member_ids}
    for card in _cards(_annotated_links(links), tenant, today):
        by_member[card.link.member_id].append(card)
    return by_member


def _annotated_links(links: QuerySet[Link]) -> list[Any]:
    """The links with their customer and the months of their latest and previous bills, in
    the home page's order. list[Any]: each carries the two annotated months, which Link
    does not declare."""
    newest = Bill.objects.filter(customer=OuterRef("customer_id")).order_by("-billing_month")
    return list(
        links.select_related("customer")
        .annotate(
            latest_month=Subquery(newest.values("billing_month")[:1]),
            previous_month=Subquery(newest.values("billing_month")[1:2]),
        )
        .order_by("created_at", "pk")
    )


def _cards(links: list[Any], tenant: Tenant, today: dt.date) -> list[ContractCard]:
    """The cards of ``links`` (``_annotated_links``), with one query for all their bills."""
    cards = [ContractCard(link, pending=link.active_from > today) for link in links]
    # Each active contract's latest bill, its previous one and the one a year earlier.
    wanted: dict[int, set[dt.date]] = {
        card.link.customer_id: {
            month
            for month in (
                card.link.latest_month,
                card.link.previous_month,
                add_months(card.link.latest_month, -YEAR),
            )
            if month is not None
        }
        for card in cards
        if not card.pending and card.link.latest_month is not None
    }
    if not wanted:
        return cards
    # The months asked of one contract are mostly those of the others: one list of
    # contracts and one of months, on the (customer, month) key; what another contract's
    # months bring in is left out below.
    months = set().union(*wanted.values())
    by_customer: dict[int, list[Bill]] = {}
    bills = Bill.objects.filter(customer_id__in=list(wanted), billing_month__in=sorted(months))
    for bill in bills.select_related("payment").order_by("customer_id", "-billing_month"):
        if bill.billing_month in wanted[bill.customer_id]:
            by_customer.setdefault(bill.customer_id, []).append(bill)
    for card in cards:
        window = by_customer.get(card.link.customer_id) if not card.pending else None
        if window:
            card.latest = _bill_view(window[0], window, card.customer, tenant, today)
    return cards


def history(link: Link) -> list[Bill]:
    """Every kept bill of the link's contract, newest first, with its payment. One query."""
    return list(
        Bill.objects.filter(customer_id=link.customer_id)
        .select_related("payment")
        .order_by("-billing_month")
    )


@dataclass
class HistoryRow:
    bill: Bill
    state: PaymentState
    daily_average: Decimal | None

    @property
    def month_slug(self) -> str:
        return formatting.month_slug(self.bill.billing_month)


def history_rows(link: Link, tenant: Tenant, today: dt.date) -> list[HistoryRow]:
    customer = link.customer
    return [
        HistoryRow(
            bill,
            payment_state(bill, payment_of(bill), customer.payment_method, tenant, today),
            daily_average(bill),
        )
        for bill in history(link)
    ]


@dataclass
class BillPage:
    view: BillView
    newer_month: dt.date | None


def bill_page(link: Link, month: dt.date, tenant: Tenant, today: dt.date) -> BillPage | None:
    """One bill of the link's contract with its comparisons, or None. Two queries."""
    window = list(
        Bill.objects.filter(
            customer_id=link.customer_id,
            billing_month__gte=add_months(month, -YEAR),
            billing_month__lte=month,
        )
        .select_related("payment")
        .order_by("-billing_month")
    )
    if not window or window[0].billing_month != month:
        return None
    newer = (
        Bill.objects.filter(customer_id=link.customer_id, billing_month__gt=month)
        .order_by("billing_month")
        .values_list("billing_month", flat=True)
        .first()
    )
    return BillPage(_bill_view(window[0], window, link.customer, tenant, today), newer)


def latest_bill_page(link: Link, tenant: Tenant, today: dt.date) -> BillPage | None:
    """The newest bill of the link's contract as ``bill_page`` gives it, or None before
    the first reading. Three queries."""
    month = (
        Bill.objects.filter(customer_id=link.customer_id)
        .order_by("-billing_month")
        .values_list("billing_month", flat=True)
        .first()
    )
    return bill_page(link, month, tenant, today) if month is not None else None


def bill_for_statement(link: Link, month: dt.date) -> Bill | None:
    return (
        Bill.objects.filter(customer_id=link.customer_id, billing_month=month)
        .select_related("payment")
        .first()
    )

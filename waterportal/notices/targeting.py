"""Choosing the contracts a notice is for: a list of 使用者番号 (pasted, or a CSV
file), or the first characters of the 給水場所. Errors are told in Japanese, naming
the numbers that were not found: none is dropped silently."""

import csv
import io
import re
import unicodedata

from waterportal.contracts.models import Customer
from waterportal.lib.kana import customer_number_key, tidy_number
from waterportal.tenants.models import Tenant

# The most numbers an error message lists before it says "and N more".
LISTED = 20
MAX_CSV_BYTES = 5 * 1024 * 1024
_SEPARATORS = re.compile(r"[\s,、，;；]+")


class TargetError(Exception):
    """Contracts that could not be chosen; ``messages`` are what to tell staff (all the
    problems of a list at once, so that one round of corrections is enough)."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        return " ".join(self.messages)


def numbers_in_text(text: str) -> list[str]:
    """The 使用者番号 of pasted text: one a line, or separated by spaces or commas."""
    return [part for part in _SEPARATORS.split(text or "") if part]


def numbers_in_csv(data: bytes) -> list[str]:
    """The 使用者番号 of a CSV file: its first column (a header row such as 使用者番号 is
    skipped), in UTF-8 (with or without BOM) or Shift_JIS (cp932), as Excel saves."""
    if len(data) > MAX_CSV_BYTES:
        raise TargetError(
            "CSVファイルが大きすぎます（5MBまで）。使用者番号の列だけにしてください。"
        )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TargetError(
            "CSVファイルの文字コードが読めません。UTF-8かShift_JISで保存してください。"
        )
    numbers: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0].strip():
            continue
        cell = row[0].strip()
        if not numbers and not customer_number_key(cell) and not any(ch.isdigit() for ch in cell):
            continue  # the header
        numbers.append(cell)
    return numbers


def by_numbers(tenant: Tenant, numbers: list[str]) -> list[int]:
    """The ids of ``tenant``'s contracts with these numbers (as typed: full-width digits
    and hyphens allowed); raises TargetError naming every number that is malformed or
    not in the ledger."""
    if not numbers:
        raise TargetError("使用者番号を1つ以上入力するか、CSVファイルを選んでください。")
    keys: dict[str, str] = {}
    malformed = []
    for typed in numbers:
        key = customer_number_key(typed)
        if key:
            keys.setdefault(key, typed)
        else:
            malformed.append(tidy_number(typed))
    found: dict[str, int] = {}
    wanted = list(keys)
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.update(
            Customer.objects.filter(tenant=tenant, number__in=chunk).values_list("number", "pk")
        )
    unknown = [tidy_number(keys[key]) for key in wanted if key not in found]
    problems = []
    if malformed:
        problems.append(
            f"使用者番号として読めないものがあります: {_listed(malformed)}。"
            "数字（ハイフン可）で入力してください。"
        )
    if unknown:
        problems.append(
            f"台帳にない使用者番号があります（{len(unknown)}件）: {_listed(unknown)}。"
            "番号を確かめて直すか、その番号を除いてください。"
        )
    if problems:
        raise TargetError(*problems)
    return sorted(found.values())


def normalize_prefix(prefix: str) -> str:
    return unicodedata.normalize("NFKC", prefix or "").strip()


def by_address_prefix(tenant: Tenant, prefix: str) -> list[int]:
    """The ids of ``tenant``'s contracts whose 給水場所 begins with ``prefix``; raises
    TargetError when it is empty or matches no contract."""
    prefix = (prefix or "").strip()
    if not prefix:
        raise TargetError("給水場所の始めの文字を入力してください（例: おうむ町本町1丁目）。")
    variants = {prefix, normalize_prefix(prefix)}
    ids: set[int] = set()
    for variant in variants:
        ids.update(
            Customer.objects.filter(tenant=tenant, address__startswith=variant).values_list(
                "pk", flat=True
            )
        )
    if not ids:
        raise TargetError(
            f"給水場所が「{prefix}」で始まる契約はありません。台帳の表記（丁目・番地の書き方）を確かめてください。"
        )
    return sorted(ids)


def _listed(numbers: list[str]) -> str:
    shown = "、".join(numbers[:LISTED])
    if len(numbers) > LISTED:
        shown += f" ほか{len(numbers) - LISTED}件"
    return shown

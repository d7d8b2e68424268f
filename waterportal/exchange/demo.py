"""The demo town's billing-system files: おうむ町's ledger, two years of bills, payments.

Everything is fictional and generated from a fixed seed, so the same day gives the same
files. The files are exchange-v1 exactly as a billing system would send them (hyphenated
numbers, some Zengin-style half-width kana), and are then imported through the importer
like any town's files.
"""

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jaconv

SEED = 20260401
CUSTOMER_COUNT = 300
MONTHS = 24

FAMILY_NAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("前田", "マエダ"), ("藤田", "フジタ"),
    ("小川", "オガワ"), ("岡田", "オカダ"), ("後藤", "ゴトウ"), ("長谷川", "ハセガワ"),
    ("村上", "ムラカミ"), ("近藤", "コンドウ"), ("石井", "イシイ"), ("遠藤", "エンドウ"),
]  # fmt: skip
GIVEN_NAMES = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("健一", "ケンイチ"), ("京子", "キョウコ"),
    ("翔太", "ショウタ"), ("美咲", "ミサキ"), ("大輔", "ダイスケ"), ("陽子", "ヨウコ"),
    ("誠", "マコト"), ("裕子", "ユウコ"), ("修", "オサム"), ("由美", "ユミ"),
    ("浩", "ヒロシ"), ("恵子", "ケイコ"), ("隆", "タカシ"), ("直美", "ナオミ"),
    ("拓也", "タクヤ"), ("さくら", "サクラ"), ("勇気", "ユウキ"), ("涼子", "リョウコ"),
    ("亮", "リョウ"), ("純一", "ジュンイチ"), ("秀樹", "ヒデキ"), ("千尋", "チヒロ"),
    ("正雄", "マサオ"), ("和子", "カズコ"), ("俊介", "シュンスケ"), ("智子", "トモコ"),
]  # fmt: skip
SHOPS = [
    ("おうむ商店", "オウムショウテン"), ("みなと食堂", "ミナトショクドウ"),
    ("さかえ理容", "サカエリヨウ"), ("本町クリーニング", "ホンチョウクリーニング"),
    ("ひがし歯科医院", "ヒガシシカイイン"), ("川原旅館", "カワラリョカン"),
]  # fmt: skip
# District code (the first four digits of 使用者番号), name, and the parity of the months
# its meters are read in: one half of the town in odd months, the other in even ones.
DISTRICTS = [
    ("1010", "本町", 1), ("1020", "栄町", 1), ("1030", "緑町", 1), ("1040", "港町", 1),
    ("2010", "旭町", 0), ("2020", "川原", 0), ("2030", "東山", 0), ("2040", "西浦", 0),
]  # fmt: skip

# A simple tariff, tax excluded: per month basic charge by meter diameter, then yen per m³
# by step of monthly usage. Bills charge the period's months together, tax included.
WATER_BASIC = {13: 1000, 20: 1500, 25: 2400, 40: 6000}
WATER_STEPS = [(10, 120), (20, 160), (None, 220)]  # (up to m³ per month, yen per m³)
SEWER_BASIC = 800
SEWER_PER_M3 = 110
TAX_RATE_PERCENT = 10

CUSTOMER_COLUMNS = [
    "使用者番号",
    "使用者名カナ",
    "使用者名",
    "給水場所",
    "口径",
    "検針周期",
    "支払方法",
    "状態",
]
BILL_COLUMNS = [
    "使用者番号", "調定年月", "検針日", "前回指針", "今回指針", "使用水量", "使用日数",
    "水道料金", "下水道使用料", "消費税額", "請求金額", "納期限", "メーター交換", "検針状況",
    "基本料金", "従量料金",
]  # fmt: skip
PAYMENT_COLUMNS = ["使用者番号", "調定年月", "収納日", "収納金額", "収納方法", "結果"]


@dataclass
class Contract:
    number: str  # as the billing system prints it: 1010-0001
    name_kana: str
    name: str
    address: str
    diameter: int
    cycle: int
    payment: str
    status: str
    sewer: bool
    parity: int
    reading_day: int
    mean_usage: int  # m³ per month
    last_month: int  # bills stop this many months before the current one (休止・中止)
    showcase: bool  # the contract the demo suggests registering with: a bit of everything


def _zengin(kana: str) -> str:
    """A name as bank and billing systems often hold it: half-width, small kana large."""
    large = kana.translate(str.maketrans("ァィゥェォッャュョ", "アイウエオツヤユヨ"))
    return jaconv.z2h(large, kana=True, digit=False, ascii=False)


def _contracts(rng: random.Random) -> list[Contract]:
    contracts = []
    for i in range(CUSTOMER_COUNT):
        showcase = i == 0
        code, town, parity = DISTRICTS[i % len(DISTRICTS)]
        seq = i // len(DISTRICTS) + 1
        shop = i % 50 == 7
        if shop:
            name, kana = SHOPS[(i // 50) % len(SHOPS)]
        else:
            family, family_kana = rng.choice(FAMILY_NAMES)
            given, given_kana = rng.choice(GIVEN_NAMES)
            name, kana = f"{family} {given}", f"{family_kana} {given_kana}"
        if not showcase and rng.random() < 0.12:
            kana = _zengin(kana)
        status = "使用中" if showcase else rng.choices(["使用中", "休止", "中止"], [95, 3, 2])[0]
        contracts.append(
            Contract(
                number=f"{code}-{seq:04d}",
                name_kana=kana,
                name=name,
                address=f"おうむ町{town}{rng.randint(1, 4)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                diameter=rng.choice([25, 40])
                if shop
                else rng.choices([13, 20, 25], [55, 40, 5])[0],
                cycle=1 if shop or rng.random() < 0.1 else 2,
                payment="口座振替" if showcase or rng.random() < 0.7 else "納付書",
                status=status,
                sewer=showcase or rng.random() < 0.85,
                parity=parity,
                reading_day=5 + seq % 15,
                mean_usage=rng.randint(12, 28) if shop else rng.randint(5, 28),
                last_month=0 if status == "使用中" else rng.randint(2, 10),
                showcase=showcase,
            )
        )
    return contracts


def _charge_water(diameter: int, months: int, usage: int) -> tuple[int, int]:
    """(basic, volume) tax excluded for ``usage`` m³ over ``months`` months."""
    basic = WATER_BASIC[diameter] * months
    volume, lower = 0, 0
    for upper, price in WATER_STEPS:
        top = usage if upper is None else min(usage, upper * months)
        volume += max(0, top - lower) * price
        lower = max(lower, top)
    return basic, volume


def _with_tax(amount: int) -> int:
    return amount * (100 + TAX_RATE_PERCENT) // 100


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    return _add_months(month, 1) - dt.timedelta(days=1)


def _bill_rows(contract: Contract, rng: random.Random, today: dt.date) -> Iterator[dict]:
    current = today.replace(day=1)
    first = _add_months(current, -(MONTHS - 1))
    months = [_add_months(first, n) for n in range(MONTHS - contract.last_month)]
    if contract.cycle == 2:
        months = [m for m in months if m.month % 2 == contract.parity]
    reading = rng.randint(50, 3000)
    previous_date = _add_months(months[0], -contract.cycle).replace(day=contract.reading_day)
    for month in months:
        day = contract.reading_day if month < current else min(contract.reading_day, today.day)
        reading_date = month.replace(day=day)
        summer = 1.25 if month.month in (7, 8, 9) else 1.0
        usage = max(0, round(contract.mean_usage * contract.cycle * summer * rng.uniform(0.7, 1.3)))
        status = ""
        if rng.random() < 0.02:
            status = "認定"  # estimated: the meter could not be read
        elif rng.random() < 0.01:
            status, usage = "漏水", usage * 3
        replaced = rng.random() < 0.004
        previous = reading
        if replaced:
            # The old meter was read at the exchange; the new one starts at zero.
            current_reading = rng.randint(0, usage)
        else:
            current_reading = previous + usage
        basic, volume = _charge_water(contract.diameter, contract.cycle, usage)
        water = _with_tax(basic + volume)
        basic_with_tax = _with_tax(basic)
        sewer = (
            _with_tax(SEWER_BASIC * contract.cycle + SEWER_PER_M3 * usage) if contract.sewer else 0
        )
        total = water + sewer
        yield {
            "使用者番号": contract.number,
            "調定年月": f"{month:%Y-%m}",
            "検針日": f"{reading_date:%Y-%m-%d}",
            "前回指針": previous,
            "今回指針": current_reading,
            "使用水量": usage,
            "使用日数": (reading_date - previous_date).days,
            "水道料金": water,
            "下水道使用料": sewer,
            "消費税額": total * TAX_RATE_PERCENT // (100 + TAX_RATE_PERCENT),
            "請求金額": total,
            "納期限": f"{_month_end(_add_months(month, 1)):%Y-%m-%d}",
            "メーター交換": "1" if replaced else "",
            "検針状況": status,
            "基本料金": basic_with_tax,
            "従量料金": water - basic_with_tax,
        }
        reading, previous_date = current_reading, reading_date


def _payment_row(contract: Contract, bill: dict, rng: random.Random, today: dt.date) -> dict | None:
    due = dt.date.fromisoformat(bill["納期限"])
    if due >= today:
        return None  # not due yet: unpaid is normal
    row = {"使用者番号": contract.number, "調定年月": bill["調定年月"]}
    if contract.payment == "口座振替":
        if rng.random() < 0.015 or (contract.showcase and due.month == 6):
            return row | {"収納日": "", "収納金額": "", "収納方法": "口座振替", "結果": "振替不能"}
        return row | {
            "収納日": bill["納期限"],
            "収納金額": bill["請求金額"],
            "収納方法": "口座振替",
            "結果": "済",
        }
    paid = due - dt.timedelta(days=rng.randint(0, 20))
    method = rng.choices(["窓口", "コンビニ", "スマホ決済"], [3, 5, 2])[0]
    return row | {
        "収納日": f"{paid:%Y-%m-%d}",
        "収納金額": bill["請求金額"],
        "収納方法": method,
        "結果": "済",
    }


@dataclass(frozen=True)
class DemoFiles:
    customers: Path
    bills: Path
    payments: Path


def write_demo_files(directory: Path, today: dt.date) -> DemoFiles:
    """Write customers.csv, bills.csv and payments.csv for bills up to ``today``'s month."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)  # noqa: S311 - reproducible fiction, not a secret
    contracts = _contracts(rng)
    files = DemoFiles(
        directory / "customers.csv", directory / "bills.csv", directory / "payments.csv"
    )

    with (
        files.customers.open("w", encoding="utf-8", newline="") as customers_out,
        files.bills.open("w", encoding="utf-8", newline="") as bills_out,
        files.payments.open("w", encoding="utf-8", newline="") as payments_out,
    ):
        customers = csv.DictWriter(customers_out, CUSTOMER_COLUMNS, lineterminator="\r\n")
        bills = csv.DictWriter(bills_out, BILL_COLUMNS, lineterminator="\r\n")
        payments = csv.DictWriter(payments_out, PAYMENT_COLUMNS, lineterminator="\r\n")
        for writer in (customers, bills, payments):
            writer.writeheader()
        for contract in contracts:
            customers.writerow(
                {
                    "使用者番号": contract.number,
                    "使用者名カナ": contract.name_kana,
                    "使用者名": contract.name,
                    "給水場所": contract.address,
                    "口径": contract.diameter,
                    "検針周期": contract.cycle,
                    "支払方法": contract.payment,
                    "状態": contract.status,
                }
            )
            for bill in _bill_rows(contract, rng, today):
                bills.writerow(bill)
                payment = _payment_row(contract, bill, rng, today)
                if payment:
                    payments.writerow(payment)
    return files

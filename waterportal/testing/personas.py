"""Who and when the tests are about: two municipalities, the people in each, two days.

おうむ町 (oumu) is the demo town; きた市 (kita) is the other tenant every page is checked
against: whatever belongs to one must be invisible and unusable from the other.
"""

import datetime as dt
from dataclasses import asdict, dataclass

# A password that passes every rule of registration.
STRONG_PASSWORD = "Mizu-Nomu-2026"


@dataclass(frozen=True)
class Town:
    slug: str
    name: str
    department: str
    section: str
    phone: str
    opening_hours: str = ""

    def fields(self) -> dict[str, str]:
        """The town as ``do_create_tenant`` takes it."""
        return asdict(self)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    password: str = STRONG_PASSWORD


OUMU = Town(
    slug="oumu",
    name="おうむ町",
    department="建設水道課",
    section="水道係",
    phone="0120-000-111",
    opening_hours="平日 8:30〜17:15",
)
KITA = Town(
    slug="kita", name="きた市", department="水道局", section="お客様係", phone="0120-999-222"
)

# A member of おうむ町: the ``member`` fixture, signed in by ``signed_in``.
HANAKO = Person("hanako@example.jp", "水道 花子")
# A resident of おうむ町 who registers, with the contract 1234-5678 in the name スイドウ タロウ.
TARO = Person("taro@example.jp", "水道 太郎")
# A member of きた市.
JIRO = Person("kita@example.jp", "きた 次郎")
# The water section of おうむ町: its 管理者, who signs in to the staff console.
SUIDO = Person("suido@town.oumu.example.jp", "水道係 一郎", password="Jousui-Kakari-2026")
# The operator: the admin's superuser, who sees every municipality.
OPERATOR = Person("operator@example.jp", "", password="Operator-Pass-2026")

# Wednesday 25 November 2026, 10:00 in Tokyo: where the ``clock`` fixture starts.
WEDNESDAY = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
# Monday 2 November 2026, 10:00 in Tokyo: where the billing tests' ``clock`` starts.
MONDAY = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)

"""やさしい日本語 (plain Japanese): the third language of the resident's pages.

Its texts live in ``locale/ja_Easy/LC_MESSAGES/django.po`` (Django's ``to_locale`` of the
language code ``ja-easy``). Their writers give the reading of a kanji word in braces right
after it: ``料金{りょうきん}``, ``振{ふ}り込{こ}み``. The base is the run of kanji just
before the brace. Readers see it as ``<ruby>料金<rt>りょうきん</rt></ruby>`` on a page, and
as ``料金（りょうきん）`` where ruby cannot go (plain-text email, an attribute such as
``title`` or ``aria-label``, ``<title>``, ``<option>``, JSON for the apps).

Where the conversion happens, and why there:

1. When the catalogue is compiled (``compile_catalogue``, run by ``make messages``), each
   reading in a msgstr becomes a *marked* reading: the base and the reading between three
   Unicode noncharacters (U+FDD0–U+FDD2). Noncharacters are reserved by Unicode for a
   program's own use and are never interchanged, so nothing a resident types, a town
   imports or a browser sends carries them. (Private-use characters would not do: town
   systems use them for 外字 in names.) Text that did not come from the catalogue —
   a resident's name or address with ``{}`` in it — is therefore never read as a reading.
   Doing this at compile time means every use of the catalogue (templates, ``gettext`` in
   forms and views, emails rendered in a Celery worker, ``% {...}`` placeholders) sees the
   same marked text, with no hook into Django's translation machinery.
2. When a response in やさしい日本語 leaves (``ChosenLanguageMiddleware`` calls
   ``rewrite_response``), each marked reading becomes ruby in HTML text and brackets
   everywhere else. Only there is it known whether the text landed in an element, an
   attribute or a JSON string; a template tag or a gettext wrapper cannot tell that
   ``{% translate %}`` is inside ``aria-label="…"``. The base and the reading were
   escaped with the rest of the text by the template engine already, and the tags this
   writes have no attributes, so the rewrite adds no markup but ``<ruby>`` and ``<rt>``.
3. Emails are rendered with ``as_html`` / ``as_text`` in ``waterportal.emails``.

A marked reading left over anywhere (a log line, a PDF) is harmless: ``as_text`` is the
safe default.
"""

import re
from pathlib import Path

from django.template.loaders.filesystem import Loader as FilesystemLoader

LANGUAGE = "ja-easy"
# The language a page in やさしい日本語 declares (``<html lang>``, Content-Language): it is
# Japanese, for screen readers' voices and for fonts.
HTML_LANG = "ja"

# Kanji (with 々, 〆, ヶ as parts of a word) followed by a reading in hiragana (and ー).
KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
READING = "ぁ-ゖー"
SOURCE_READING = re.compile(rf"([{KANJI}]+)\{{([{READING}]+)\}}")
# A brace opened or closed that is not part of a well-formed reading (a typo in the .po).
STRAY_BRACE = re.compile(r"[{}]")

START, MIDDLE, END = "\ufdd0", "\ufdd1", "\ufdd2"
MARKED = re.compile(f"{START}([^{START}{MIDDLE}{END}]+){MIDDLE}([^{START}{MIDDLE}{END}]+){END}")
# As json.dumps writes them (ensure_ascii): \ufdd0 … \ufdd1 … \ufdd2.
_JSON_ESCAPES = {START: r"\ufdd0", MIDDLE: r"\ufdd1", END: r"\ufdd2"}
JSON_MARKED = re.compile(r"\\ufdd0((?:(?!\\ufdd[012]).)+)\\ufdd1((?:(?!\\ufdd[012]).)+)\\ufdd2")


def is_easy(language: str | None) -> bool:
    return (language or "").lower() == LANGUAGE


# --- The writers' markup ------------------------------------------------------------------


def mark(source: str) -> str:
    """A msgstr as written (``料金{りょうきん}``) with its readings marked."""
    return SOURCE_READING.sub(lambda m: f"{START}{m[1]}{MIDDLE}{m[2]}{END}", source)


def markup_problems(source: str) -> list[str]:
    """What is wrong with the readings of a msgstr: an unclosed or stray brace, or a
    reading that follows no kanji. Empty when it is well formed."""
    rest = SOURCE_READING.sub("", source)
    # Python-format placeholders of a text are not readings: %(name)s, never braces.
    return [
        f"brace without a kanji word and its reading near {rest[max(0, m.start() - 8) : m.end() + 8]!r}"
        for m in STRAY_BRACE.finditer(rest)
    ]


def plain(source: str) -> str:
    """A msgstr as written, without its readings: what a reader sees once the ruby goes."""
    return SOURCE_READING.sub(r"\1", source)


# --- Marked text, as each place shows it --------------------------------------------------


def as_text(text: str) -> str:
    """Readings in brackets after their kanji: 料金（りょうきん）."""
    return MARKED.sub(r"\1（\2）", text)


def as_ruby(text: str) -> str:
    """Readings as ruby, for HTML text already escaped."""
    return MARKED.sub(r"<ruby>\1<rt>\2</rt></ruby>", text)


# An HTML document cut into what ruby may go into (text) and what it may not: comments,
# tags with their attributes, and elements whose content is text only or not shown, or
# not HTML (an SVG chart's <text>).
_HTML_PIECES = re.compile(
    r"(<!--.*?-->"
    r"|<(script|style|title|textarea|option|svg)\b[^>]*>.*?</\2\s*>"
    r"|<[^>]*>)",
    re.S | re.I,
)


def as_html(document: str) -> str:
    """Ruby in the text of an HTML document, brackets in its tags and text-only elements."""
    if START not in document:
        return document
    pieces = _HTML_PIECES.split(document)
    out = []
    # split() with two groups gives: text, whole match, element name, text, …
    for index in range(0, len(pieces), 3):
        out.append(as_ruby(pieces[index]))
        if index + 1 < len(pieces):
            out.append(as_text(pieces[index + 1]))
    return "".join(out)


def as_json(body: str) -> str:
    """Brackets in a JSON document, whether its strings are escaped to ASCII or not."""
    body = JSON_MARKED.sub(r"\1\\uff08\2\\uff09", body)
    return as_text(body)


def rewrite_response(response) -> None:
    """Each marked reading of a response in やさしい日本語 as its place can show it."""
    if getattr(response, "streaming", False) or not response.content:
        return
    content_type = response.get("Content-Type", "")
    charset = getattr(response, "charset", None) or "utf-8"
    body = response.content.decode(charset, errors="surrogateescape")
    if START not in body and r"\ufdd0" not in body:
        return
    if content_type.startswith("text/html"):
        body = as_html(body)
    elif "json" in content_type:
        body = as_json(body)
    else:
        body = as_text(body)
    response.content = body.encode(charset, errors="surrogateescape")
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


# --- The compiled catalogue ---------------------------------------------------------------

_MSGSTR_START = re.compile(r"^msgstr(\[\d+\])? ")


def mark_po(text: str) -> str:
    """A .po file with the readings of its msgstrs marked (msgids and comments untouched).

    Each msgstr is marked as one string: makemessages wraps long ones over several
    quoted lines, and a reading split between two of them (``内容{ないよ`` / ``う}``)
    would be left as braces on the page. The quoted pieces are joined first (joining
    escaped pieces is the escaped whole) and written back as one line.
    """
    out: list[str] = []
    pending: list[str] = []  # the current msgstr: its first line, then its continuations

    def flush() -> None:
        if pending:
            head, _, first = pending[0].rstrip("\n").partition(" ")
            pieces = [first.strip()[1:-1], *(line.strip()[1:-1] for line in pending[1:])]
            out.append(f'{head} "{mark("".join(pieces))}"\n')
            pending.clear()

    for line in text.splitlines(keepends=True):
        if _MSGSTR_START.match(line):
            flush()
            pending.append(line)
        elif pending and line.startswith('"'):
            pending.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "".join(out)


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile the やさしい日本語 .po into the .mo Django reads, its readings marked."""
    import shutil
    import subprocess
    import tempfile

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    with tempfile.TemporaryDirectory() as directory:
        marked = Path(directory) / "django.po"
        marked.write_text(mark_po(po.read_text(encoding="utf-8")), encoding="utf-8")
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Our own catalogue and GNU gettext's compiler, both named here, nothing from outside.
        subprocess.run([msgfmt, "--check", "-o", str(mo), str(marked)], check=True)  # noqa: S603


# --- What needs a reading -----------------------------------------------------------------

# The kanji of the first three school years (学年別漢字配当表, 2020: 80 + 160 + 200). A kanji
# beyond them is written with its reading; these may be, and often are, written without.
SCHOOL_YEARS_1_TO_3 = frozenset(
    "一右雨円王音下火花貝学気九休玉金空月犬見五口校左三山子四糸字耳七車手十出女小上森人水正生"
    "青夕石赤千川先早草足村大男竹中虫町天田土二日入年白八百文木本名目立力林六"
    "引羽雲園遠何科夏家歌画回会海絵外角楽活間丸岩顔汽記帰弓牛魚京強教近兄形計元言原戸古午後語"
    "工公広交光考行高黄合谷国黒今才細作算止市矢姉思紙寺自時室社弱首秋週春書少場色食心新親図数"
    "西声星晴切雪船線前組走多太体台地池知茶昼長鳥朝直通弟店点電刀冬当東答頭同道読内南肉馬売買"
    "麦半番父風分聞米歩母方北毎妹万明鳴毛門夜野友用曜来里理話"
    "悪安暗医委意育員院飲運泳駅央横屋温化荷界開階寒感漢館岸起期客究急級宮球去橋業曲局銀区苦具"
    "君係軽血決研県庫湖向幸港号根祭皿仕死使始指歯詩次事持式実写者主守取酒受州拾終習集住重宿所"
    "暑助昭消商章勝乗植申身神真深進世整昔全相送想息速族他打対待代第題炭短談着注柱丁帳調追定庭"
    "笛鉄転都度投豆島湯登等動童農波配倍箱畑発反坂板皮悲美鼻筆氷表秒病品負部服福物平返勉放味命"
    "面問役薬由油有遊予羊洋葉陽様落流旅両緑礼列練路和"
)
_KANJI_CHAR = re.compile(f"[{KANJI}]")


def unread_kanji(source: str) -> list[str]:
    """The kanji beyond the third school year that a msgstr as written gives no reading."""
    rest = SOURCE_READING.sub("", source)
    # Placeholders and HTML are not read by anyone: %(town)s, <strong>.
    return sorted(
        {c for c in _KANJI_CHAR.findall(rest) if c not in SCHOOL_YEARS_1_TO_3 and c not in "々ヶ〆"}
    )


# --- Templates written in やさしい日本語 ------------------------------------------------------


class TemplateLoader(FilesystemLoader):
    """The project's templates, with the readings of those under an ``easy/`` folder
    marked as they are read (``emails/easy/new_bill.txt``).

    Marked in the template's own words, before any value is put in: a resident's name
    or a notice's title with braces in it is never read as a reading.
    """

    def get_contents(self, origin):
        contents = super().get_contents(origin)
        if is_easy_template(origin.template_name):
            return mark(contents)
        return contents


def is_easy_template(name: str | None) -> bool:
    return bool(name) and ("/easy/" in f"/{name}")

"""Finding the answers to a question typed in the resident's own words.

Pure functions, no database: ``normalize`` folds what a keyboard can vary (full- and
half-width, katakana and hiragana, capitals), ``tokens`` cuts the text into character
bigrams for Japanese and whole words for Latin script, and ``rank`` scores a town's
entries with BM25 over their question, keywords and answer.

Why in Python and not a search engine: a town has a few dozen entries, so scoring them
all takes well under a millisecond, and the same code runs on SQLite and PostgreSQL with
nothing to install, index or keep in step (PostgreSQL's full-text search has no Japanese
parser, pg_bigm is an extension, and Elasticsearch or Meilisearch would be a service
to run for fifty rows). Bigrams need no dictionary: they match 届かない in 「メールが
届かない」 and 「とどかない」 alike once kana are folded, which a morphological analyser
does not do for words it segments differently; the quality set
(``tests/questions.tsv``) measures it.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Words residents use for the same thing: each variant (in any script or width) is
# replaced by the first word of its group before cutting, in the entries and in the
# question alike; the longest variant wins where two overlap.
SYNONYMS: list[list[str]] = [
    ["パスワード", "暗証番号", "暗証", "あんしょう", "password", "passwd", "pw", "ぱすわど"],
    ["メール", "Eメール", "メアド", "めあど", "e-mail", "email", "mail", "e mail", "めいる"],
    [
        "届かない",
        "来ない",
        "こない",
        "届いていない",
        "届いてない",
        "とどかない",
        "送られてこない",
        "受け取れない",
        "受信できない",
    ],
    [
        "引っ越し",
        "引越し",
        "引越",
        "ひっこし",
        "ひっこす",
        "引っ越す",
        "引っ越した",
        "転居",
        "移転",
        "moving",
        "move",
    ],
    [
        "料金",
        "代金",
        "水道代",
        "すいどうだい",
        "いくら",
        "金額",
        "請求額",
        "bill",
        "charge",
        "charges",
        "fee",
    ],
    ["支払", "支払い", "しはらい", "払い", "はらい", "払う", "はらう", "納付", "payment", "pay"],
    [
        "使用者番号",
        "しようしゃばんごう",
        "お客様番号",
        "おきゃくさまばんごう",
        "水道番号",
        "契約番号",
    ],
    ["検針票", "けんしんひょう", "検針の紙", "使用量のお知らせ", "使用水量のお知らせ"],
    ["迷惑メール", "めいわくめーる", "spam", "junk", "すぱむ"],
    ["認証コード", "確認コード", "にんしょうこーど", "認証番号", "確認番号", "6桁", "code"],
    ["ログイン", "サインイン", "login", "log in", "sign in", "signin"],
    ["退会", "たいかい", "解約", "withdraw", "unsubscribe"],
    ["忘れ", "わすれ", "forgot", "forget", "forgotten"],
    ["登録", "とうろく", "register", "registration", "signup", "sign up"],
    ["漏水", "水漏れ", "みずもれ", "ろうすい", "leak", "leaking"],
    ["名義", "めいぎ", "名前", "なまえ", "氏名", "しめい", "name"],
    ["変更", "へんこう", "変え", "かえ", "change"],
]

# English words that carry no meaning for the search.
STOPWORDS = frozenset(
    "a an the i my me is am are was be to of in on at for it do does did how what when "
    "where why can can't cannot could i'm im not no and or with from this that there "
    "have has get got please you your will would should".split()
)

# Bigrams of Japanese grammar that say nothing about the subject.
STOP_BIGRAMS = frozenset(
    "です すか ます ませ せん くだ ださ さい でし した して ので のか のは には とは ても "
    "でき きま きな ない たい いで いの がで かな をし をお てい いる てく ょう しょ "
    "どう うし うや やっ って たら らい いい はど にな なる るに する るの のに すれ れば ばい "
    "わか かり りま しよ よう うと とす ると われ れた るか かも もし しれ れな がた くさ さん "
    "えて がと もは れま てる るん んで すけ けど ども いま まし ある あり りま なっ った "
    "おし しえ えて ゃう ちゃ だけ けれ れど".split()
)
# Particles: a kanji followed by one of these ends its word (「課の」 is no term).
PARTICLES = frozenset("のがをにはとでもへや")

_KATAKANA = re.compile(r"[ァ-ヶ]")


def normalize(text: str) -> str:
    """Fold width (NFKC), katakana to hiragana and capitals, so that 「ﾊﾟｽﾜｰﾄﾞ」,
    「パスワード」 and 「ぱすわーど」 are one word."""
    return _fold(unicodedata.normalize("NFKC", text).lower())


def _fold(text: str) -> str:
    return _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)


_VARIANTS = sorted(
    ((normalize(v), group[0]) for group in SYNONYMS for v in group),
    key=lambda pair: -len(pair[0]),
)
_CANONICAL = dict(_VARIANTS)
_VARIANT_PATTERN = re.compile(
    "|".join(rf"\b{re.escape(v)}\b" if v.isascii() else re.escape(v) for v in _CANONICAL)
)

KANJI, HIRAGANA, KATAKANA, LATIN, OTHER = "k", "h", "t", "l", "-"


def _script(char: str) -> str:
    if "぀" <= char <= "ゟ":
        return HIRAGANA
    if "゠" <= char <= "ヿ":
        return KATAKANA
    if "㐀" <= char <= "䶿" or "一" <= char <= "鿿" or char in "々〆":
        return KANJI
    if char.isascii() and (char.isalnum() or char == "'"):
        return LATIN
    return OTHER


def _characters(text: str) -> list[tuple[str, str]]:
    """``text`` as (folded character, script) pairs, each synonym replaced by its
    group's first word. The script is the one typed (before folding): where it changes
    is where Japanese words and their particles usually meet."""
    typed = unicodedata.normalize("NFKC", text).lower()
    folded = _fold(typed)  # as long as ``typed``: folding maps one character to one
    out: list[tuple[str, str]] = []
    position = 0

    def keep(part: str, source: str) -> None:
        for char, original in zip(_fold(part), source, strict=True):
            script = _script(original)
            if original == "ー" and out:  # the long vowel mark belongs to its word
                script = out[-1][1]
            out.append((char, script))

    for match in _VARIANT_PATTERN.finditer(folded):
        keep(folded[position : match.start()], typed[position : match.start()])
        word = _CANONICAL[match.group()]
        keep(word, word)
        out.append((" ", OTHER))
        position = match.end()
    keep(folded[position:], typed[position:])
    return out


def canonical(text: str) -> str:
    """Normalized, with every synonym replaced by its group's first word."""
    return "".join(char for char, _ in _characters(text))


def tokens(text: str) -> list[str]:
    """The search terms of ``text``: each Latin word, and the character bigrams of
    Japanese within one script (plus a kanji followed by its kana ending, as in 届か);
    a kanji on its own stands for itself. Particles between words make no bigram, so
    「水道が止まる」 gives 水道 and 止ま, not が止."""
    characters = _characters(text)
    terms: list[str] = []
    word = ""
    for char, script in [*characters, (" ", OTHER)]:
        if script == LATIN:
            word += char
            continue
        if word:
            if word not in STOPWORDS:
                terms.append(word[:-1] if len(word) > 4 and word.endswith("s") else word)
            word = ""
    for i, (char, script) in enumerate(characters):
        if script not in (KANJI, HIRAGANA, KATAKANA):
            continue
        paired = False
        if i + 1 < len(characters):
            following, next_script = characters[i + 1]
            okurigana = script == KANJI and next_script == HIRAGANA and following not in PARTICLES
            if next_script == script or okurigana:
                bigram = char + following
                if bigram not in STOP_BIGRAMS:
                    terms.append(bigram)
                paired = True
        if i > 0:
            previous_script = characters[i - 1][1]
            paired = paired or previous_script == script
        if not paired and script == KANJI:
            terms.append(char)
    return terms


@dataclass(frozen=True)
class Document:
    """What is searched of one entry; ``ref`` is whatever the caller wants back."""

    ref: object
    question: str
    keywords: str = ""
    answer: str = ""


@dataclass(frozen=True)
class Hit:
    ref: object
    score: float
    # The share of the question's weight (its terms' IDF) that this entry matched.
    coverage: float


# Field weights: the question and the editor's keywords say what an entry is about; the
# answer mentions much in passing.
WEIGHTS = {"question": 2.0, "keywords": 1.5, "answer": 0.5}
K1 = 1.2
B = 0.75


def rank(documents: Sequence[Document], query: str) -> list[Hit]:
    """The documents that share a term with ``query``, best first (BM25, with each
    field's term frequencies weighted by ``WEIGHTS``)."""
    terms = set(tokens(query))
    if not terms or not documents:
        return []
    bags = [_bag(d) for d in documents]
    average = sum(sum(b.values()) for b in bags) / len(bags) or 1.0
    n = len(documents)
    frequency = Counter(t for b in bags for t in b if t in terms)
    idf = {t: math.log(1 + (n - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}
    total = sum(idf.values())
    hits = []
    for document, bag in zip(documents, bags, strict=True):
        length = sum(bag.values())
        score = 0.0
        matched = 0.0
        for t in terms:
            tf = bag.get(t, 0.0)
            if tf:
                score += idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
                matched += idf[t]
        if score > 0:
            hits.append(Hit(document.ref, score, matched / total))
    hits.sort(key=lambda h: -h.score)
    return hits


def _bag(document: Document) -> dict[str, float]:
    bag: dict[str, float] = {}
    for field, weight in WEIGHTS.items():
        for t in tokens(getattr(document, field)):
            bag[t] = bag.get(t, 0.0) + weight
    return bag


# A question is answered when its best entry matches at least this share of its weight:
# below it, the matches are words like 「水道」 that every entry has.
MIN_COVERAGE = 0.3


def answers(documents: Iterable[Document], query: str, *, limit: int = 5) -> list[Hit]:
    """The best entries for ``query``, at most ``limit``, or none when even the best does
    not match well (then the page offers the town's contact and the inquiry form).
    Entries far below the best are dropped: a resident reads the first few only."""
    hits = rank(list(documents), query)
    if not hits or hits[0].coverage < MIN_COVERAGE:
        return []
    best = hits[0].score
    return [h for h in hits[:limit] if h.score >= best * 0.35]

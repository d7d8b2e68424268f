"""Reading exchange-v1 files: encoding, CSV rows, and the value formats all kinds share.

A file is read as a stream, row by row; nothing holds its whole text. Every problem is
recorded against its line and column in a ``Report`` instead of stopping the read, so
that one import lists everything the billing system has to fix.
"""

import codecs
import csv
import datetime as dt
import hashlib
import heapq
import io
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from waterportal.lib.kana import customer_number_key, is_kana_name

CHUNK_SIZE = 1 << 20
MAX_INT = 2_147_483_647  # the columns are 32-bit integers in the database
SNIFF_BYTES = 64 * 1024

NOT_TEXT = "テキスト（CSV）ファイルではありません。"
UNKNOWN_ENCODING = "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"
# Control characters never found in a CSV file, in UTF-8 or CP932 alike (neither uses
# bytes below 0x20 inside a multi-byte character). Tab, LF, FF, CR and the Ctrl-Z that
# old DOS tools append are allowed.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")

# Only two encodings are allowed by the contract, so we test them strictly instead of
# guessing with charset-normalizer: a guesser may answer cp1252 or Big5 for a short
# Japanese file, whereas Shift_JIS text of any length is practically never valid UTF-8.
# UTF-8 is tried first because every ASCII-only file is valid in both.
ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp932", "CP932"))

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class FileInfo:
    encoding: str | None  # the codec to read with, None when neither decodes
    label: str  # how the encoding is shown to staff: "UTF-8", "UTF-8 (BOM)", "CP932"
    size: int
    sha256: str


def inspect_file(stream) -> FileInfo:
    """Read a binary stream once, in chunks: its size, SHA-256 and encoding.

    Leaves the stream at its start. Each encoding is tried with a strict incremental
    decoder, so a file of any size is checked without holding its text.
    """
    digest = hashlib.sha256()
    decoders = {name: codecs.getincrementaldecoder(name)(errors="strict") for name, _ in ENCODINGS}
    size = 0
    first = b""
    stream.seek(0)
    while chunk := stream.read(CHUNK_SIZE):
        if not first:
            first = chunk[:3]
        size += len(chunk)
        digest.update(chunk)
        for name in list(decoders):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
    for name in list(decoders):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    stream.seek(0)
    for name, label in ENCODINGS:
        if name in decoders:
            if name == "utf-8-sig" and first.startswith(codecs.BOM_UTF8):
                label += " (BOM)"
            return FileInfo(name, label, size, digest.hexdigest())
    return FileInfo(None, "", size, digest.hexdigest())


def sniff(stream) -> str | None:
    """Why the stream cannot be a CSV file, judged from its first 64 KB, or None.

    A spreadsheet, an image or a zip file has NUL or other control bytes right at the
    start, so it is refused before anything else is done with it. UTF-16 (Excel's
    "Unicode text") is text, but not in an encoding the exchange allows.
    """
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UNKNOWN_ENCODING
    if _CONTROL_BYTES.search(head):
        return NOT_TEXT
    return None


class _ProgressReader(io.RawIOBase):
    """A binary stream that reports how many bytes have been read from it."""

    def __init__(self, stream, total: int, on_progress: ProgressCallback | None):
        self._stream = stream
        self._total = total
        self._done = 0
        self._on_progress = on_progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._done += n
        if self._on_progress and n:
            self._on_progress(self._done, self._total)
        return n


def open_text(stream, info: FileInfo, on_progress: ProgressCallback | None = None):
    """The binary stream as text, decoded as ``inspect_file`` found, newlines untouched
    (the csv module handles CRLF and newlines inside quoted fields itself)."""
    raw = _ProgressReader(stream, info.size, on_progress)
    return io.TextIOWrapper(io.BufferedReader(raw, CHUNK_SIZE), encoding=info.encoding, newline="")


class Report:
    """The problems of one file: every one counted, the ``limit`` first in line order kept.

    Problems arrive in two passes (each row as it is read, then the checks made in the
    database), so the ones kept are chosen by line, not by arrival.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.count = 0
        # A max-heap on (line, arrival): its top is the problem to drop first.
        self._kept: list[tuple[int, int, dict]] = []

    def add(self, line: int | None, column: str, value: str, reason: str) -> None:
        self.count += 1
        entry = (
            -(line or 0),
            -self.count,
            {"line": line, "column": column, "value": value, "reason": reason},
        )
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def add_unlisted(self, count: int) -> None:
        """Count ``count`` more problems known to come after every one kept."""
        self.count += count

    def __bool__(self) -> bool:
        return self.count > 0

    def as_json(self) -> list[dict]:
        """The kept problems in line order, then how many more there were, if any."""
        problems = [problem for _, _, problem in sorted(self._kept, reverse=True)]
        if self.count > len(problems):
            more = self.count - len(problems)
            reason = f"ほかに {more:,}件の問題があります（表示は最初の{self.limit:,}件まで）。"
            problems.append({"line": None, "column": "", "value": "", "reason": reason})
        return problems


_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$|^(\d{4})(\d{2})$")
_INTEGER = re.compile(r"^-?\d+$")

# A file holds few distinct dates and months (a reading day, a due date, a month per
# period), each written the same way on most rows: each spelling is read once.
_CACHE_SIZE = 4096
_dates: dict[str, dt.date] = {}
_months: dict[str, dt.date] = {}


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


# The spellings nearly every row uses, read without a ``Row`` (see ``Row.cells``). Each
# answers None for anything else, never a problem: such a row is read again by the
# ``Row`` readers, which give the same value for every spelling accepted here.


def plain_customer_number(cell: str) -> str | None:
    """A 使用者番号 written in ASCII digits and hyphens, as its digits."""
    if cell.isascii():
        digits = cell.replace("-", "")
        if digits.isdigit() and len(digits) <= 30:
            return digits
    return None


def plain_integers(cells: Sequence[str], *, required: bool) -> list[int | None] | None:
    """Cells that are each 1 to 9 ASCII digits (or empty, when not ``required``: None),
    as whole numbers of at least 0."""
    joined = "".join(cells)
    if joined and not (joined.isdigit() and joined.isascii()):
        return None
    if required and "" in cells:
        return None
    if max(map(len, cells), default=0) > 9:
        return None
    return [int(cell) if cell else None for cell in cells]


def known_date(cell: str) -> dt.date | None:
    """The date a cell spelled exactly so was read as earlier in this process."""
    return _dates.get(cell)


def known_month(cell: str) -> dt.date | None:
    """The billing month a cell spelled exactly so was read as earlier in this process."""
    return _months.get(cell)


class Header:
    """Where each known column is in a file's rows, as its header row says."""

    __slots__ = ("index", "_pickers")

    def __init__(self, index: dict[str, int]):
        self.index = index
        self._pickers: dict[tuple[str, ...], Callable[[list[str]], tuple[str, ...]]] = {}

    def picker(self, columns: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]]:
        """A function from a row's cells to those of ``columns`` ("" when absent)."""
        picker = self._pickers.get(columns)
        if picker is None:
            positions = [self.index.get(column) for column in columns]
            if len(positions) > 1 and None not in positions:
                picker = operator.itemgetter(*positions)
            else:
                picker = _picking(positions)
            self._pickers[columns] = picker
        return picker


def _picking(positions: list[int | None]) -> Callable[[list[str]], tuple[str, ...]]:
    def picker(cells: list[str]) -> tuple[str, ...]:
        return tuple("" if i is None else cells[i] for i in positions)

    return picker


class Row:
    """One data row of a file. Each reader returns the value, or None when the cell is
    empty or wrong; a wrong value adds a problem to the report and marks the row bad.

    The readers first try the spelling nearly every row uses (ASCII digits, ISO dates)
    and fall back to the full rules, which give the same answer for it.
    """

    __slots__ = ("line", "ok", "_cells", "_header", "_index", "_report")

    def __init__(self, line: int, cells: list[str], header: Header, report: Report):
        self.line = line
        self.ok = True
        self._cells = cells
        self._header = header
        self._index = header.index
        self._report = report

    def cells(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        """The cells of ``columns`` exactly as written ("" for an absent column), for an
        importer's reading of a plain row in one go (``plain_integers`` and the like)."""
        return self._header.picker(columns)(self._cells)

    def problem(self, column: str, reason: str, value: str | None = None) -> None:
        self.ok = False
        self._report.add(self.line, column, self.raw(column) if value is None else value, reason)

    def _cell(self, column: str) -> str:
        i = self._index.get(column)
        return "" if i is None else self._cells[i]

    def raw(self, column: str) -> str:
        """The cell as written, without surrounding spaces ("" for an absent column)."""
        return self._cell(column).strip()

    def _present(self, column: str, required: bool) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, "値がありません（必須の項目です）。")
            return None
        return value

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self._present(column, required) or ""
        if len(value) > max_length:
            self.problem(
                column, f"{max_length}文字以内にしてください（{len(value)}文字あります）。"
            )
        return value

    def integer(self, column: str, *, required: bool = False, minimum: int = 0) -> int | None:
        """A whole number (amounts in yen, m³, days): full-width digits and "," allowed."""
        i = self._index.get(column)
        cell = "" if i is None else self._cells[i]
        if cell.isdigit() and cell.isascii() and len(cell) < 10:
            number = int(cell)
            if number >= minimum:
                return number
        return self._integer(column, required, minimum)

    def _integer(self, column: str, required: bool, minimum: int) -> int | None:
        value = self._present(column, required)
        if value is None:
            return None
        digits = _nfkc(value).replace(",", "")
        if not _INTEGER.match(digits):
            self.problem(column, "整数で入力してください。")
            return None
        sign = -1 if digits.startswith("-") else 1
        significant = digits.lstrip("-").lstrip("0") or "0"
        # Python refuses to convert thousands of digits; anything past ten is out of range.
        number = sign * (int(significant) if len(significant) <= 10 else MAX_INT + 1)
        if number < minimum:
            reason = "負の値は使えません。" if minimum == 0 else f"{minimum}以上にしてください。"
            self.problem(column, reason)
            return None
        if number > MAX_INT:
            self.problem(column, "値が大きすぎます。")
            return None
        return number

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        """A date written YYYY-MM-DD or YYYY/MM/DD."""
        cell = self._cell(column)
        known = _dates.get(cell)
        if known is not None:
            return known
        value = self._present(column, required)
        if value is None:
            return None
        match = _DATE.match(_nfkc(value))
        try:
            if not match:
                raise ValueError
            date = dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            self.problem(
                column, "日付は YYYY-MM-DD または YYYY/MM/DD の形で、実在する日にしてください。"
            )
            return None
        if len(_dates) < _CACHE_SIZE:
            _dates[cell] = date
        return date

    def month(self, column: str, *, required: bool = False) -> dt.date | None:
        """A billing month (YYYY-MM, YYYY/MM or YYYYMM) as the first day of that month."""
        cell = self._cell(column)
        known = _months.get(cell)
        if known is not None:
            return known
        value = self._present(column, required)
        if value is None:
            return None
        match = _MONTH.match(_nfkc(value))
        try:
            if not match:
                raise ValueError
            month = dt.date(int(match[1] or match[3]), int(match[2] or match[4]), 1)
        except ValueError:
            self.problem(column, "年月は YYYY-MM、YYYY/MM または YYYYMM の形で入力してください。")
            return None
        if len(_months) < _CACHE_SIZE:
            _months[cell] = month
        return month

    def choice(self, column: str, allowed: list[str], *, default: str | None = None) -> str | None:
        """One of ``allowed``; an empty cell gives ``default`` (required when None)."""
        cell = self._cell(column)
        if cell and cell in allowed:
            return cell
        value = self._present(column, required=default is None)
        if value is None:
            return default
        value = _nfkc(value)
        if value not in allowed:
            self.problem(column, f"{'・'.join(allowed)} のいずれかにしてください。")
            return None
        return value

    def customer_number(self, column: str = "使用者番号") -> str | None:
        """A 使用者番号 as its digits (hyphens and full-width digits accepted)."""
        digits = plain_customer_number(self._cell(column))
        if digits is not None:
            return digits
        value = self._present(column, required=True)
        if value is None:
            return None
        number = customer_number_key(value)
        if not number:
            self.problem(column, "使用者番号は数字で入力してください（ハイフンは使えます）。")
            return None
        if len(number) > 30:
            self.problem(column, "使用者番号は30桁以内にしてください。")
            return None
        return number

    def kana_name(self, column: str, *, max_length: int) -> str:
        value = self.text(column, max_length=max_length, required=True)
        if value and not is_kana_name(value):
            self.problem(column, "カナで入力してください（漢字・英字・数字は使えません）。")
        return value


@dataclass(frozen=True, slots=True)
class PlainLineReader:
    """The reader of a file's plain lines (see ``Importer.plain_lines``)."""

    # From one line of the file and its number, the row as the staging table's text COPY
    # takes it (one line ending in "\n"), or None when the line is not written plainly
    # or has a problem (it is then read by the ``Row`` rules).
    read: Callable[[str, int], str | None]
    # To be told of each row staged otherwise (read by the rules), in file order.
    also: Callable[[tuple], None]
    # How many rows have been staged (by ``read`` or told with ``also``), when their keys
    # are known to be all different (they came in ascending order); else 0.
    distinct: Callable[[], int]


# ``read_rows``'s ``plain``: given where each known column is in the header and how many
# columns it has, the reader of that file's plain lines (or None).
PlainLines = Callable[[dict[str, int], int], PlainLineReader | None]


class _Lines:
    """The csv module's source of lines: the line put back by ``read_rows``, then the
    following lines of the text, counted (``count``: how many have been read)."""

    __slots__ = ("back", "count", "_text")

    def __init__(self, text: Iterator[str]):
        self.back: str | None = None
        self.count = 0
        self._text = text

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self.back
        if line is not None:
            self.back = None
            return line
        line = next(self._text)
        self.count += 1
        return line


def read_rows(
    text,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    report: Report,
    plain: PlainLines | None = None,
) -> Iterator[Row | str]:
    """Yield the data rows of a CSV text stream, one at a time.

    The header row names the columns, in any order; columns not in ``required`` or
    ``optional`` are ignored. A file without a required column yields nothing and its
    report names each missing column. Blank lines are skipped.

    With ``plain``, a line it reads is yielded as the text it gives instead of a
    ``Row``; any other line is read by the csv module, as without it.
    """
    source = iter(text)
    lines = _Lines(source)
    reader = csv.reader(lines)
    number = 0  # the lines read so far
    try:
        header = next(reader, None)
        if header is None:
            report.add(None, "", "", "ファイルが空です（見出し行がありません）。")
            return
        header = [name.strip() for name in header]
        known = set(required) | set(optional)
        seen: set[str] = set()
        for name in header:
            if name in known and name in seen:
                report.add(1, name, "", f"列「{name}」が見出し行に2回あります。")
            seen.add(name)
        for name in required:
            if name not in seen:
                report.add(1, name, "", f"必須の列「{name}」がありません。")
        if report:
            return
        index = {name: i for i, name in enumerate(header) if name in known}
        columns = Header(index)
        width = len(header)
        reader_of_plain = plain(index, width) if plain is not None else None
        read_plain = reader_of_plain.read if reader_of_plain is not None else None
        number = lines.count
        for physical in source:
            number += 1
            if read_plain is not None:
                staged = read_plain(physical, number)
                if staged is not None:
                    yield staged
                    continue
            # Read by the csv module from this line on (a quoted cell may hold newlines).
            start = number
            lines.back, lines.count = physical, number
            record = next(reader, None)
            number = lines.count
            if record is None:
                break
            joined = "".join(record)
            if not joined.strip():
                continue
            if "\x00" in joined:
                # Text columns cannot hold it (PostgreSQL refuses it), and no billing
                # system means it: a damaged or binary file.
                report.add(start, "", "", "使用できない文字（NUL）が含まれています。")
                continue
            if len(record) != width and (
                len(record) < width or any(cell.strip() for cell in record[width:])
            ):
                reason = f"列の数が見出し行（{width}列）と違います（{len(record)}列）。"
                report.add(start, "", "", reason)
                continue
            yield Row(start, record, columns, report)
    except csv.Error as exc:
        report.add(max(lines.count, number) + 1, "", "", f"CSVとして読めません（{exc}）。")
    except UnicodeDecodeError:
        report.add(max(lines.count, number) + 1, "", "", "文字コードを読み取れません。")

"""A payment notice (缴费通知书, R-7.2) as a one-page A4 PDF that prints its Chinese
right from any PC: the CJK font is embedded in the file (a subset: only the glyphs the
notice uses, a notice of 15-40 KB instead of the font's 4 MB).

The font comes from the server: ``DESKAPP_CJK_FONT`` (a TrueType file), else the first
of ``FONT_PATHS`` on disk (Droid Sans Fallback, Debian's fonts-droid-fallback, is the
one README and CI install). None: InvalidInput ``error.pdf_no_font`` naming the package
to install, and nothing is written — never a PDF of empty boxes; a file fpdf2 cannot
load: ``error.pdf_bad_font``. Droid Sans Fallback has no Latin letters or digits: those
come from DejaVu Sans (fonts-dejavu-core, on every Debian with fontconfig), each
character from the first of the two fonts that has it.

One page, always: the lines table shrinks (10 pt down to 6 pt) until the notice fits;
a notice that would not fit even then prints its first lines and one line saying how
many more and their sum (the statement lists them all). A long tenant name wraps. Text a
person typed (a tenant's name, a line's description) is printed as text, never markup.
Figures come from services.balances (paid, waived, balance, due date, when late fees
run), not from a sum of this module's own.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..i18n import t
from ..models import Notice, NoticeLine
from ..money import fen_to_yuan
from . import balances, validate
from .charges import quantity_text
from .common import local_day, write_whole
from .context import Desk
from .errors import InvalidInput
from .tenants import current_units

PERMISSION = "billing.run"  # the notices are finance's; printing one is part of issuing it
FONT_ENV = "DESKAPP_CJK_FONT"
# (path, font number inside a .ttc collection)
FONT_PATHS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    # fonts-noto-cjk: a CFF collection, its simplified-Chinese face is the third
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
)
# the Latin font for digits and letters; a CJK font that has its own (wqy) needs none
LATIN_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # fonts-dejavu-core
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
FAMILY, CJK = "latin", "cjk"
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")

# A4 in mm; the table's columns: kind, description (the rest), quantity, price, amount
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
COLUMNS = (20.0, None, 16.0, 26.0, 28.0)
SIZES = (10.0, 9.0, 8.0, 7.0, 6.0)  # the table's font, largest that fits
MM_PER_PT = 0.3528
FOOTER_H = 45.0  # the totals and the late-fee sentence below the table
LEADING = 1.25  # a line's height, times the font's size
PAD = 0.6  # mm between two rows of the table


@dataclass(frozen=True)
class Font:
    path: str
    number: int = 0


@dataclass(frozen=True)
class Fonts:
    """The CJK font, and the Latin one its digits and letters come from (Droid Sans
    Fallback has no Latin glyphs: it is a fallback font by design)."""

    cjk: Font
    latin: Font | None


def find_font() -> Fonts:
    """The fonts to embed (see the module's docstring); InvalidInput when there is no
    CJK font."""
    named = os.environ.get(FONT_ENV, "").strip()
    if named:
        if not Path(named).is_file():
            raise InvalidInput("error.pdf_bad_font", path=named, detail=t("pdf.font_missing"))
        cjk = Font(named)
    else:
        cjk = next((Font(path, number) for path, number in FONT_PATHS
                    if Path(path).is_file()), None)
        if cjk is None:
            raise InvalidInput("error.pdf_no_font")
    latin = next((Font(path) for path in LATIN_PATHS if Path(path).is_file()), None)
    return Fonts(cjk, latin)


def yuan(fen: int) -> str:
    """10300.6 yuan → "10,300.60": two decimals and thousands separators, as printed."""
    return f"{fen_to_yuan(fen):,.2f}"


def _document(fonts: Fonts):
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)  # one page: the layout below makes everything fit
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    for family, font in ((CJK, fonts.cjk), (FAMILY, fonts.latin or fonts.cjk)):
        try:
            pdf.add_font(family, "", font.path, collection_font_number=font.number)
        except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds for a bad file
            raise InvalidInput("error.pdf_bad_font", path=font.path,
                               detail=type(exc).__name__) from None
    pdf.set_title(t("pdf.title"))
    pdf.set_creator("deskapp")
    pdf.add_page()
    return pdf


@dataclass(frozen=True)
class _Row:
    kind: str
    description: str
    quantity: str
    price: str
    amount: str


def _rows(notice: Notice) -> tuple[list[_Row], list[NoticeLine]]:
    lines = (NoticeLine.select().where(NoticeLine.notice == notice.id)
             .order_by(NoticeLine.position, NoticeLine.id))
    return [_Row(t(f"billing.kind.{line.kind}"), line.description,
                 quantity_text(line.quantity_milli), yuan(line.unit_price_fen),
                 yuan(line.amount_fen)) for line in lines], list(lines)


class _Writer:
    """Text on the page, each character in the Latin font if it has the glyph, else in
    the CJK font; the font is set explicitly for every run of characters (fpdf2's own
    fallback fonts left some runs with no font selected after a graphics-state restore,
    which a viewer prints as nothing)."""

    def __init__(self, pdf, size: float) -> None:
        self.pdf = pdf
        self.latin = set(pdf.fonts[FAMILY].cmap)
        self.size(size)

    def size(self, size: float) -> None:
        self.pt = size
        self.line_h = size * MM_PER_PT * LEADING

    def runs(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for char in text:
            family = FAMILY if ord(char) in self.latin else CJK
            if out and out[-1][0] == family:
                out[-1] = (family, out[-1][1] + char)
            else:
                out.append((family, char))
        return out

    def width(self, text: str) -> float:
        total = 0.0
        for family, run in self.runs(text):
            self.pdf.set_font(family, size=self.pt)
            total += self.pdf.get_string_width(run)
        return total

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines of at most ``width`` mm, broken between any two characters (Chinese
        has no spaces; a 200-character name must still fit)."""
        lines, line, used = [], "", 0.0
        for char in text.replace("\n", " ").replace("\t", " "):
            step = self.width(char)
            if line and used + step > width:
                space = line.rfind(" ")
                if space > len(line) // 2:  # a word of Latin text is not cut in two
                    line, tail = line[:space], line[space + 1:]
                else:
                    tail = ""
                lines.append(line.rstrip())
                line = (tail + char).lstrip()
                used = self.width(line)
            else:
                line, used = line + char, used + step
        lines.append(line.rstrip())
        return lines

    def put(self, x: float, y: float, width: float, text: str, align: str = "L") -> None:
        shift = {"L": 0.0, "C": (width - self.width(text)) / 2,
                 "R": width - self.width(text)}[align]
        self.pdf.set_xy(x + max(0.0, shift), y)
        for family, run in self.runs(text):
            self.pdf.set_font(family, size=self.pt)
            self.pdf.cell(self.pdf.get_string_width(run), self.line_h, run)

    def block(self, x: float, y: float, width: float, text: str, align: str = "L") -> float:
        """``text`` wrapped at ``width`` from (x, y); returns the y below it."""
        for line in self.wrap(text, width):
            self.put(x, y, width, line, align)
            y += self.line_h
        return y


def _widths() -> list[float]:
    fixed = sum(w for w in COLUMNS if w is not None)
    return [w if w is not None else PAGE_W - 2 * MARGIN - fixed for w in COLUMNS]


def _wrapped(writer: _Writer, rows: list[_Row]) -> list[list[list[str]]]:
    widths = _widths()
    return [[writer.wrap(cell, w - 2) for w, cell in zip(widths, (
        r.kind, r.description, r.quantity, r.price, r.amount))] for r in rows]


def _row_h(writer: _Writer, cells: list[list[str]]) -> float:
    return max(len(cell) for cell in cells) * writer.line_h + PAD


def write_notice_pdf(desk: Desk, notice: Notice, path) -> Path:
    """The notice as a one-page PDF at ``path`` (a file in a folder that exists), written
    whole: a reader never sees half of it, a failure leaves nothing."""
    desk.require(PERMISSION)
    target = _target(path)
    data = _pdf_bytes(desk, notice, find_font())
    try:
        write_whole(target, data)
    except OSError as exc:
        raise InvalidInput("error.pdf_cannot_write", path=str(target),
                           reason=exc.strerror or type(exc).__name__) from None
    return target


def write_month_pdfs(desk: Desk, month: str, directory) -> list[Path]:
    """Every notice of ``month`` as ``<number>.pdf`` in ``directory`` (which exists),
    in number order; the font is looked up once, before the first file."""
    desk.require(PERMISSION)
    month = validate.text(month, "--month", limit=7, required=True)
    if not _MONTH.match(month):
        raise InvalidInput("error.pdf_bad_month", value=month)
    folder = Path(validate.text(str(directory), "directory", limit=4096,
                                required=True)).expanduser()
    if not folder.is_dir():
        raise InvalidInput("error.pdf_no_folder", path=str(folder))
    fonts = find_font()
    notices = list(Notice.select().where(Notice.month == month).order_by(Notice.number))
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="deskapp-fonts-") as scratch:
        if len(notices) > 1:
            fonts = _subset(fonts, _month_chars(desk, notices), Path(scratch))
        for notice in notices:
            target = folder / f"{notice.number}.pdf"
            try:
                write_whole(target, _pdf_bytes(desk, notice, fonts))
            except OSError as exc:
                raise InvalidInput("error.pdf_cannot_write", path=str(target),
                                   reason=exc.strerror or type(exc).__name__) from None
            written.append(target)
    return written


def _month_chars(desk: Desk, notices: list[Notice]) -> set[str]:
    """Every character a month's notices can print: this language's strings, the
    building's names, ASCII, and the notices' own texts."""
    from ..i18n import catalogue, language

    texts = [*catalogue(language()).values(), desk.profile().name("zh"),
             desk.profile().name("en"), "".join(map(chr, range(0x20, 0x7F)))]
    for notice in notices:
        texts += [notice.number, notice.month, notice.tenant.name,
                  ", ".join(current_units(notice.tenant_id))]
        texts += [line.description for line in
                  NoticeLine.select(NoticeLine.description).where(NoticeLine.notice == notice.id)]
    return set("".join(texts))


def _subset(fonts: Fonts, chars: set[str], folder: Path) -> Fonts:
    """The fonts cut down to ``chars``, saved in ``folder``: loading the 4 MB CJK font
    took 0.7 s a notice, a month of 2,000 notices half an hour; the cut-down font loads
    in milliseconds. A font fontTools cannot cut is used whole (slower, same pages)."""
    import logging

    from fontTools import subset, ttLib

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset"

    def cut(font: Font | None, name: str) -> Font | None:
        if font is None:
            return None
        try:
            ttfont = ttLib.TTFont(font.path, fontNumber=font.number, recalcTimestamp=False)
            options = subset.Options()
            options.notdef_outline = True
            options.name_IDs = ["*"]
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=[ord(c) for c in chars])
            cutter.subset(ttfont)
            path = folder / f"{name}.ttf"
            ttfont.save(str(path))
            return Font(str(path))
        except Exception:  # noqa: BLE001 - fontTools raises many kinds; the whole font works
            return font

    return Fonts(cut(fonts.cjk, CJK), cut(fonts.latin, FAMILY))


def _target(path) -> Path:
    raw = validate.text(str(path), "file", limit=4096, required=True)
    target = Path(raw).expanduser()
    if target.is_dir() or not target.parent.is_dir():
        raise InvalidInput("error.pdf_no_folder", path=raw)
    return target


def _pdf_bytes(desk: Desk, notice: Notice, fonts: Fonts) -> bytes:
    from ..i18n import language

    pdf = _document(fonts)
    profile = desk.profile()
    tz = profile.timezone
    width, x = PAGE_W - 2 * MARGIN, MARGIN
    out = _Writer(pdf, 16)
    y = out.block(x, MARGIN, width, profile.name(language()), "C")
    out.size(14)
    y = out.block(x, y + 1, width, t("pdf.title"), "C") + 3

    due = balances.due_date(notice)
    facts = [
        (t("pdf.number"), notice.number),
        (t("pdf.tenant"), notice.tenant.name),
        (t("pdf.units"), ", ".join(current_units(notice.tenant_id)) or "—"),
        (t("pdf.month"), notice.month),
        (t("pdf.issued"), _day(local_day(notice.issued_at, tz))),
        (t("pdf.due"), _day(due)),
    ]
    label_w = 30.0
    for label, value in facts:
        out.size(10)
        out.put(x, y, label_w, label)
        out.size(10 if len(value) < 120 else 8)
        y = out.block(x + label_w, y, width - label_w, value) + 1
    y += 2

    rows, lines = _rows(notice)
    room = PAGE_H - MARGIN - FOOTER_H - y
    shown, size, wrapped = _fit(out, rows, room)
    y = _table(pdf, out, wrapped[:shown], y)
    if shown < len(rows):
        rest = sum(line.amount_fen for line in lines[shown:])
        y = out.block(x, y + 1, width, t("pdf.more_lines", count=len(rows) - shown,
                                         amount=yuan(rest)))
    y += 3

    paid = balances.allocated_fen(notice.id)
    waived = balances.waived_fen(notice.id, tz)
    figures = [(t("pdf.total"), notice.total_fen), (t("pdf.paid"), paid)]
    if waived:
        figures.append((t("pdf.waived"), waived))
    figures.append((t("pdf.balance"), balances.outstanding_fen(notice, tz)))
    out.size(11)
    for label, fen in figures:
        out.put(x, y, width - 42, label, "R")
        out.put(x + width - 40, y, 40, yuan(fen), "R")
        y += out.line_h + 1
    grace = int(profile["late_fee_grace_days"])
    out.size(9)
    out.block(x, y + 3, width, t("pdf.late_fee", due=_day(due), grace=grace,
                                 from_day=_day(balances.fees_from(notice, grace)),
                                 rate=profile["late_fee_per_10000_daily"]))
    return bytes(pdf.output())


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _fit(out: _Writer, rows: list[_Row], room: float):
    """(how many rows, at which size, their wrapped cells): all rows at the largest size
    that fits ``room``; else as many as fit at the smallest, keeping a line for "more"."""
    for size in SIZES:
        out.size(size)
        wrapped = _wrapped(out, rows)
        if out.line_h + PAD + sum(_row_h(out, cells) for cells in wrapped) <= room:
            return len(rows), size, wrapped
    used, shown = 2 * (out.line_h + PAD), 0  # the head row and the "more" line
    for cells in wrapped:
        used += _row_h(out, cells)
        if used > room:
            break
        shown += 1
    return shown, out.pt, wrapped


def _table(pdf, out: _Writer, wrapped: list, y: float) -> float:
    """The lines table from ``y`` at the writer's size; returns the y below it."""
    widths = _widths()
    aligns = ("L", "L", "R", "R", "R")
    x0 = MARGIN
    head = ([t("pdf.kind")], [t("pdf.description")], [t("pdf.quantity")],
            [t("pdf.unit_price")], [t("pdf.amount")])
    pdf.set_fill_color(230, 230, 230)
    pdf.rect(x0, y, sum(widths), out.line_h + PAD, style="F")
    for cells in (head, *wrapped):
        x = x0
        for w, lines_, align in zip(widths, cells, aligns):
            for i, text in enumerate(lines_):
                out.put(x + 1, y + PAD / 2 + i * out.line_h, w - 2, text, align)
            x += w
        y += _row_h(out, cells)
        pdf.line(x0, y, x0 + sum(widths), y)
    return y


__all__ = ["FONT_ENV", "FONT_PATHS", "Font", "Fonts", "LATIN_PATHS", "find_font",
           "write_month_pdfs", "write_notice_pdf", "yuan"]

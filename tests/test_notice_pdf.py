"""The payment notice as a one-page PDF (issue 9 item 2): its CJK font embedded so the
Chinese prints from any PC, one A4 page however long the tenant's name or the list of
lines, and no file at all when the server has no CJK font. Notices are built here row
by row (billing's run is tested in its own file). Clock: Thu 2026-11-26 14:00."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path

import pytest

from deskapp import i18n
from deskapp.models import Allocation, Notice, NoticeLine, Payment
from deskapp.services import notice_pdf
from deskapp.services import tenants as registry
from deskapp.services.errors import InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from .conftest import as_role

STAR = "星辰科技（北京）有限公司"


def notice(desk, clock, name=STAR, lines=3, number="2026-12-0001", description="租金",
           units=("12F-1201", "12F-1202")):
    tenant = registry.add_tenant(desk, TenantData(name=name, units=units), status="active")
    row = Notice.create(number=number, tenant=tenant, month="2026-12",
                        due_date=dt.date(2026, 12, 5), total_fen=0, issued_at=clock.now(),
                        issued_by="finance")
    kinds = ["rent", "electricity", "service", "parking", "late_fee"]
    total = 0
    for position in range(lines):
        amount = 1_030_060 if position == 0 else 12_345 + position
        NoticeLine.create(notice=row, position=position, kind=kinds[position % 5],
                          description=f"{description} {position + 1}", quantity_milli=1000,
                          unit_price_fen=amount, amount_fen=amount)
        total += amount
    row.total_fen = total
    row.save()
    return row


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Every object: number → (its dictionary, its stream decompressed or b""); a
    stream is read by its /Length (its bytes may hold anything, "endobj" too)."""
    out, position = {}, 0
    opening = re.compile(rb"(\d+) 0 obj")
    while (match := opening.search(data, position)) is not None:
        stream_at, end_at = data.find(b"stream", match.end()), data.find(b"endobj", match.end())
        if stream_at == -1 or end_at < stream_at:
            out[int(match.group(1))] = (data[match.end():end_at], b"")
            position = end_at
            continue
        head = data[match.end():stream_at]
        start = stream_at + len(b"stream") + (2 if data[stream_at + 6:stream_at + 8] == b"\r\n"
                                              else 1)
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        content = data[start:start + length]
        if b"FlateDecode" in head:
            content = zlib.decompress(content)
        out[int(match.group(1))] = (head, content)
        position = data.find(b"endobj", start + length)
    return out


def _cmap(stream: bytes) -> dict[int, str]:
    cmap = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cmap[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, text in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = ord(bytes.fromhex(text.decode()).decode("utf-16-be"))
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                cmap[code] = chr(first + offset)
    return cmap


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes (its backslash escapes undone)."""
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: (
        bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
        else _ESCAPES.get(m.group(1), m.group(1))), raw, flags=re.S)


def pdf_facts(data: bytes) -> dict:
    """Pages, the embedded font file, and the text a reader recovers from the page
    through each font's ToUnicode CMap, font by font as the page selects them (no PDF
    library needed)."""
    objects = _objects(data)
    fonts = {}  # resource name → its ToUnicode map
    for head, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)][0])
            if unicode_ref:
                fonts[name] = _cmap(objects[int(unicode_ref.group(1))][1])
    text, font = [], None
    for head, stream in objects.values():
        if b"/Subtype" in head or not stream or b" Tj" not in stream:
            continue
        for op in re.finditer(rb"/(F\d+) [0-9.]+ Tf|\(((?:\\.|[^\\)])*)\) ?Tj", stream, re.S):
            if op.group(1):
                font = fonts[op.group(1)]
                continue
            codes = _literal(op.group(2))
            text.append("".join(font.get(int.from_bytes(codes[i:i + 2], "big"), "?")
                                for i in range(0, len(codes), 2)))
    return {"pages": len(re.findall(rb"/Type\s*/Page(?![s\w])", data)),
            "fontfile": b"/FontFile2" in data, "text": "".join(text)}


@pytest.fixture
def font():
    font = notice_pdf.find_font()  # the test machine has fonts-droid-fallback (.ci/run)
    return font


def test_a_notice_prints_on_one_page_with_its_font_embedded(desk, clock, tmp_path, font):
    i18n.set_language("zh")
    row = notice(desk, clock)
    payment = Payment.create(receipt_no="R-1", tenant=row.tenant, amount_fen=500_000,
                             method="cash", received_on=dt.date(2026, 12, 2),
                             recorded_at=clock.now(), recorded_by="finance")
    Allocation.create(payment=payment, notice=row, amount_fen=500_000)
    path = notice_pdf.write_notice_pdf(desk, row, tmp_path / "n.pdf")
    data = path.read_bytes()
    facts = pdf_facts(data)
    assert facts["pages"] == 1 and facts["fontfile"]
    assert data.count(b"/Type /Font") >= 1 and len(data) < 400_000  # a subset, not 4 MB
    text = facts["text"]
    for shown in ("金座大厦", "缴费通知书", "2026-12-0001", STAR, "12F-1201, 12F-1202",
                  "2026-12-05", "租金", "电费", "10,300.60", "123.46",
                  "123.47", "10,547.53",  # the total: 10,300.60 + 123.46 + 123.47
                  "5,000.00", "5,547.53",  # paid, and the balance
                  "2026-12-11", "万分之 5"):  # late fees from 5 Dec + 5 days' grace + 1
        assert shown in text, shown


@pytest.mark.parametrize("path,number", notice_pdf.FONT_PATHS)
def test_each_known_cjk_font_that_is_installed_prints_the_notice(desk, clock, tmp_path,
                                                                 monkeypatch, path, number):
    if not Path(path).is_file():
        pytest.skip(f"{path} is not installed here")
    monkeypatch.setattr(notice_pdf, "FONT_PATHS", ((path, number),))
    i18n.set_language("zh")
    data = notice_pdf.write_notice_pdf(desk, notice(desk, clock), tmp_path / "n.pdf").read_bytes()
    facts = pdf_facts(data)
    assert facts["pages"] == 1
    # TrueType outlines embed as /FontFile2, CFF ones (Noto CJK) as /FontFile3
    assert b"/FontFile2" in data or b"/FontFile3" in data
    assert STAR in facts["text"] and "10,547.53" in facts["text"]


def test_the_english_notice(desk, clock, tmp_path, font):
    row = notice(desk, clock, name="Acme Trading Ltd")
    text = pdf_facts(notice_pdf.write_notice_pdf(desk, row, tmp_path / "n.pdf")
                     .read_bytes())["text"]
    for shown in ("Golden Tower", "Payment notice", "Acme Trading Ltd", "Rent",
                  "Balance due", "10,547.53", "From 2026-12-11"):
        assert shown in text, shown


def test_forty_lines_and_a_200_character_name_still_fit_one_page(desk, clock, tmp_path,
                                                                  font):
    i18n.set_language("zh")
    name = ("宏图" * 50 + "Acme[/red]" * 10)[:200]
    row = notice(desk, clock, name=name, lines=40,
                 description="12F 大会议室租用 2026-11-03 14:00–16:00 含投影")
    facts = pdf_facts(notice_pdf.write_notice_pdf(desk, row, tmp_path / "n.pdf")
                      .read_bytes())
    assert facts["pages"] == 1
    assert "[/red]" in facts["text"]  # printed as typed, not read as markup
    assert "含投影 40" in facts["text"] and "另有" not in facts["text"]  # every line
    assert "10,300.60" in facts["text"]
    assert "15,122.95" in facts["text"]  # the total: 10,300.60 + 39 lines of 123.46…


def test_a_hundred_lines_print_what_fits_and_say_the_rest(desk, clock, tmp_path, font):
    i18n.set_language("en")
    row = notice(desk, clock, lines=120, description="print " * 20)
    facts = pdf_facts(notice_pdf.write_notice_pdf(desk, row, tmp_path / "n.pdf")
                      .read_bytes())
    assert facts["pages"] == 1
    assert re.search(r"and \d+ more line\(s\)", facts["text"])


def test_without_a_cjk_font_the_export_says_so_and_writes_nothing(desk, clock, tmp_path,
                                                                   monkeypatch):
    monkeypatch.delenv(notice_pdf.FONT_ENV, raising=False)
    monkeypatch.setattr(notice_pdf, "FONT_PATHS", (("/nonexistent/font.ttf", 0),))
    row = notice(desk, clock)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="install the package fonts-droid-fallback"):
        notice_pdf.write_notice_pdf(desk, row, out / "n.pdf")
    with pytest.raises(InvalidInput, match="fonts-droid-fallback"):
        notice_pdf.write_month_pdfs(desk, "2026-12", out)
    i18n.set_language("zh")
    with pytest.raises(InvalidInput, match="请安装 fonts-droid-fallback"):
        notice_pdf.write_notice_pdf(desk, row, out / "n.pdf")
    assert list(out.iterdir()) == []


def test_a_font_named_in_the_environment_that_is_not_a_font_is_refused(
        desk, clock, tmp_path, monkeypatch):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    monkeypatch.setenv(notice_pdf.FONT_ENV, str(bogus))
    row = notice(desk, clock)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="bogus.ttf cannot be used"):
        notice_pdf.write_notice_pdf(desk, row, out / "n.pdf")
    assert list(out.iterdir()) == []


def test_the_months_notices_one_file_each_named_by_number(desk, clock, tmp_path, font):
    notice(desk, clock)
    notice(desk, clock, name="Acme Trading Ltd", number="2026-12-0002", units=("8F-805",))
    out = tmp_path / "out"
    out.mkdir()
    paths = notice_pdf.write_month_pdfs(desk, "2026-12", out)
    assert [p.name for p in paths] == ["2026-12-0001.pdf", "2026-12-0002.pdf"]
    assert sorted(p.name for p in out.iterdir()) == ["2026-12-0001.pdf", "2026-12-0002.pdf"]
    # the month's files use the fonts cut down to the month's characters: same text
    for path, name in zip(paths, (STAR, "Acme Trading Ltd")):
        alone = notice_pdf.write_notice_pdf(desk, Notice.get(Notice.number == path.stem),
                                            tmp_path / "alone.pdf")
        text = pdf_facts(path.read_bytes())["text"]
        assert text == pdf_facts(alone.read_bytes())["text"] and name in text
        assert "?" not in text and pdf_facts(path.read_bytes())["fontfile"]
    assert notice_pdf.write_month_pdfs(desk, "2026-11", out) == []
    with pytest.raises(InvalidInput, match="not a month"):
        notice_pdf.write_month_pdfs(desk, "2026-13", out)
    with pytest.raises(InvalidInput, match="existing folder"):
        notice_pdf.write_month_pdfs(desk, "2026-12", tmp_path / "missing")


def test_only_finance_and_managers_print_notices(desk, clock, tmp_path):
    row = notice(desk, clock)
    with pytest.raises(NotAllowed):
        notice_pdf.write_notice_pdf(as_role(desk, "engineering"), row, tmp_path / "n.pdf")
    assert not (tmp_path / "n.pdf").exists()

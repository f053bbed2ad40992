"""File exports with real Japanese text in the encodings and layouts Japanese tools produce."""

import json

import pytest
from openpyxl import Workbook

from sources.files import decode_bytes, read_file
from sources.records import SourceError

ROWS = [
    ["T1", "2026/11/02 10:00", "mail", "配送について", "注文した土鍋がまだ届きません。①いつ届きますか", "土鍋"],
    ["T2", "2026/11/02 11:00", "chat", "", "ログインできない状態が続いています", ""],
    ["T3", "2026/11/03 09:00", "form", "", "", ""],  # no text
    ["T4", "いつか", "form", "", "返金してほしいです", ""],  # bad date
]
HEADER = ["チケットID", "受付日時", "チャネル", "件名", "お問い合わせ内容", "商品名"]


def write_csv(path, rows, encoding, delimiter=","):
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings_detected(tmp_path, encoding):
    path = write_csv(tmp_path / "tickets.csv", ROWS, encoding)
    result = read_file(path, source="helpdesk", kind="ticket")
    assert [r.external_id for r in result.records] == ["T1", "T2"]
    assert result.records[0].body == "注文した土鍋がまだ届きません。①いつ届きますか"
    assert result.records[0].product == "土鍋" and result.records[0].channel == "mail"
    assert result.rows_read == 4


def test_rejects_name_file_line_and_reason(tmp_path):
    path = write_csv(tmp_path / "tickets.csv", ROWS, "cp932")
    rejects = [str(r) for r in read_file(path, source="s", kind="ticket").rejects]
    assert rejects == [f"{path}:4: no text (empty body)", f"{path}:5: unparsable date 'いつか'"]


def test_tsv_and_multiline_quoted_csv_line_numbers(tmp_path):
    tsv = write_csv(tmp_path / "t.tsv", ROWS[:2], "utf-8", delimiter="\t")
    assert len(read_file(tsv, source="s", kind="ticket").records) == 2
    csv_path = tmp_path / "multi.csv"
    csv_path.write_text('id,date,text\nA,2026-11-02,"一行目\n二行目"\nB,2026-11-02,\n', encoding="utf-8")
    result = read_file(csv_path, source="s", kind="ticket")
    assert result.records[0].body == "一行目\n二行目"
    assert str(result.rejects[0]) == f"{csv_path}:4: no text (empty body)"


def test_jsonl_with_bad_line(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines = [
        json.dumps(
            {"review_id": "R1", "created_at": "2026-11-02T10:00:00", "rating": 2, "text": "サイズが小さすぎました"},
            ensure_ascii=False,
        ),
        "{broken",
        json.dumps({"review_id": "R2", "created_at": "2026-11-02", "rating": "七", "text": "良い"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_file(path, source="shop", kind="review")
    assert [(r.external_id, r.rating, r.channel) for r in result.records] == [("R1", 2.0, "review")]
    assert [str(r) for r in result.rejects] == [
        f"{path}:2: invalid JSON (Expecting property name enclosed in double quotes)",
        f"{path}:3: rating '七' is not a number",
    ]
    assert result.rows_read == 3


def test_xlsx(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["レビューID", "投稿日時", "評価", "レビュー本文", "商品番号"])
    sheet.append(["R9", "2026-11-05 12:00", 1, "届いた時点で割れていました", "SKU-1"])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "reviews.xlsx"
    book.save(path)
    result = read_file(path, source="mall", kind="review")
    assert [(r.external_id, r.rating, r.product_id, r.body) for r in result.records] == [
        ("R9", 1.0, "SKU-1", "届いた時点で割れていました")
    ]


def test_explicit_mapping_and_content_hash_ids(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("when,msg\n2026-11-02,配送が遅い\n2026-11-02,配送が遅い\n2026-11-03,配送が遅い\n", encoding="utf-8")
    result = read_file(path, source="s", kind="ticket", mapping={"when": "created_at", "msg": "body"})
    ids = [r.external_id for r in result.records]
    assert ids[0] == ids[1] != ids[2] and ids[0].startswith("sha:")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("data.pdf", b"%PDF", "unsupported file type '.pdf'"),
        ("notext.csv", b"id,date\n1,2026-11-02\n", "no text column found"),
        ("broken.xlsx", b"not a zip", "not a readable .xlsx workbook"),
    ],
)
def test_unreadable_files_are_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        read_file(path, source="s", kind="ticket")
    assert str(path) in str(info.value)


def test_unknown_mapping_field_is_rejected(tmp_path):
    path = write_csv(tmp_path / "t.csv", ROWS[:1], "utf-8")
    with pytest.raises(SourceError, match="unknown field 'texts'"):
        read_file(path, source="s", kind="ticket", mapping={"お問い合わせ内容": "texts"})


def test_cp932_detection_on_short_text(tmp_path):
    assert decode_bytes("返品したいです".encode("cp932"), tmp_path) == "返品したいです"


def test_big_exports_are_read_in_chunks(tmp_path):
    """Memory stays flat: rows come `chunk_rows` at a time, with their rejects, in file order."""
    from sources.files import read_chunks

    lines = [json.dumps({"id": i, "date": "2026-11-02", "text": f"{i}番目の問い合わせです"}) for i in range(11)]
    lines.insert(3, "{broken")
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    chunks = list(read_chunks(path, source="s", kind="ticket", chunk_rows=5))
    assert [c.rows_read for c in chunks] == [5, 5, 2]
    (reject,) = chunks[0].rejects
    assert str(reject) == f"{path}:4: invalid JSON (Expecting property name enclosed in double quotes)"
    assert [r.external_id for c in chunks for r in c.records] == [str(i) for i in range(11)]


def test_big_exports_stream_after_the_encoding_is_detected_on_their_head(tmp_path, monkeypatch):
    """Only the head (DETECT_BYTES) decides the encoding; the rest is decoded while it is read. A line in
    another Japanese encoding after the head is read in that encoding; a line no encoding reads is
    rejected by its number, and the rows after it are read (nothing stored is lost, nothing is skipped)."""
    import sources.files as files

    monkeypatch.setattr(files, "DETECT_BYTES", 200)
    rows = [f"{i},2026-11-02 10:{i % 60:02d},{i}件目：注文した商品が届きません①" for i in range(50)]
    path = tmp_path / "big.csv"
    path.write_bytes(("id,date,本文\n" + "\n".join(rows) + "\n").encode("cp932"))
    result = files.read_file(path, source="s", kind="ticket")
    assert result.rows_read == 50 and result.records[-1].body == "49件目：注文した商品が届きません①"

    mixed = tmp_path / "mixed.csv"
    head = ("id,date,本文\n" + "\n".join(rows[:20]) + "\n").encode("utf-8")
    broken = b"21,2026-11-02 10:21,\xff\xfe\x80 \xfd\n"  # no Japanese encoding reads this line
    mixed.write_bytes(head + rows[20].encode("cp932") + b"\n" + broken + (rows[22] + "\n").encode("utf-8"))
    result = files.read_file(mixed, source="s", kind="ticket")
    assert [r.external_id for r in result.records][-3:] == ["19", "20", "22"]
    assert result.records[-2].body == "20件目：注文した商品が届きません①"  # the CP932 line, read as CP932
    assert [str(r) for r in result.rejects] == [f"{mixed}:23: not utf-8 text, nor UTF-8, CP932 or EUC-JP"]


def test_excel_unicode_text_export(tmp_path):
    """Excel's 「Unicode テキスト」: UTF-16 with BOM, tab-separated, CRLF."""
    path = tmp_path / "export.tsv"
    path.write_bytes("id\tdate\t本文\r\n1\t2026-11-02 10:00\t注文した商品がまだ届きません\r\n".encode("utf-16"))
    (record,) = read_file(path, source="s", kind="ticket").records
    assert (record.external_id, record.body) == ("1", "注文した商品がまだ届きません")


def test_messages_never_copy_a_row_of_customer_text(tmp_path):
    """A file without a header has a data row where the column names should be, and a date column mapped
    by mistake holds message text: neither reaches a message or a reject (they go to the terminal, the
    report and Prefect's logs)."""
    from sources.files import read_file

    row = "田中太郎,090-1234-5678,tanaka@example.jp,注文した商品がまだ届きません。至急対応してください。"
    headerless = tmp_path / "noheader.csv"
    headerless.write_text(f"{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(SourceError) as failed:
        read_file(headerless, source="s", kind="ticket", mapping={"本文": "body"})
    message = str(failed.value)
    assert "090-1234-5678" not in message and "tanaka@example.jp" not in message and "至急" not in message
    wrong_date = tmp_path / "wrong.csv"
    wrong_date.write_text(
        "id,date,text\n1,まだ届きません。電話は090-1234-5678です。本当に困っています,届きません\n", encoding="utf-8"
    )
    (reject,) = read_file(wrong_date, source="s", kind="ticket").rejects
    assert "090-1234-5678" not in str(reject) and "困っています" not in str(reject)
    assert str(reject).startswith(f"{wrong_date}:2: unparsable date 'まだ届きません。電話は<PHONE>です。")


BAD_VALUES = [
    # (what, CSV line, the reject's reason)
    ("far-future date with an offset", "9,9999-12-31T23:59:59-01:00,届きません", "is out of range"),
    ("a date before 1990", "9,1900-01-01 10:00,届きません", "is outside 1990-2100"),
    ("no stars", "9,2026-11-02,届きません,☆☆☆☆☆", "rating 0 is outside 1-5"),
    ("six stars", "9,2026-11-02,届きません,★★★★★★", "rating 6 is outside 1-5"),
    ("rating 0", "9,2026-11-02,届きません,0", "rating 0 is outside 1-5"),
    ("a pasted log", "9,2026-11-02," + "ログ" * 60_000, "text of 120,000 characters"),
    # over the csv module's 131,072-character field limit, which stopped the whole file before
    ("a field over the csv limit", "9,2026-11-02," + "長" * 200_000, "text of 200,000 characters"),
]


@pytest.mark.parametrize(("what", "line", "reason"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_a_bad_value_rejects_its_row_and_the_rest_is_read(tmp_path, what, line, reason):
    path = tmp_path / "export.csv"
    good = "1,2026-11-02 10:00,注文した商品がまだ届きません,3"
    path.write_text(f"id,date,text,rating\n{good}\n{line}\n{good.replace('1,', '2,', 1)}\n", encoding="utf-8")
    result = read_file(path, source="s", kind="review")
    assert [r.external_id for r in result.records] == ["1", "2"]
    (reject,) = result.rejects
    assert str(reject).startswith(f"{path}:3: ") and reason in str(reject), str(reject)


def test_json_numbers_nesting_surrogates_and_cr_only_lines(tmp_path):
    """Epochs of 1e20 or Infinity, a line nested 5,000 levels, lone surrogates: each its own row's fate.
    An old Mac export ends lines with CR alone."""
    lines = [
        json.dumps({"id": "3\ud800", "date": "2026-11-02", "text": "届きません", "product": "マグ\udfff"}),
        json.dumps({"id": "1", "date": 1e20, "text": "届きません", "product": None}),
        '{"id": "2", "date": Infinity, "text": "届きません", "product": null}',
        "[" * 5000 + "]" * 5000,
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    result = read_file(path, source="s", kind="ticket")
    assert [str(r).removeprefix(f"{path}:") for r in result.rejects] == [
        "2: date '1e+20' is out of range",
        "3: date inf is not a number",
        "4: JSON nested too deeply",
    ]
    (record,) = result.records  # the surrogates replaced: no database refuses the row
    assert record.external_id == "3\ufffd" and record.product == "マグ\ufffd"
    mac = tmp_path / "mac.csv"
    mac.write_bytes("id,date,text\r1,2026-11-02,届きません\r2,2026-11-03,ログインできません\r".encode("cp932"))
    assert [r.body for r in read_file(mac, source="s", kind="ticket").records] == ["届きません", "ログインできません"]


def test_small_japanese_files_are_never_taken_for_korean(tmp_path, asdc_sample):
    """200 small exports (3-8 real requests each) in CP932 and EUC-JP: charset-normalizer alone read 23 of
    200 such CP932 files as Korean and 65 EUC-JP ones wrongly; every one must come back as written."""
    import random

    rng = random.Random(0)
    texts = [r["text"] for r in asdc_sample]
    wrong = []
    for i in range(200):
        encoding = "cp932" if i % 2 else "euc_jp"
        picked = rng.sample(texts, rng.randint(3, 8))
        body = "id,date,本文\n" + "".join(f"{n},2026-11-02 10:00,{t}\n" for n, t in enumerate(picked))
        path = tmp_path / f"{i}.csv"
        path.write_bytes(body.encode(encoding, errors="ignore"))
        read = [r.body for r in read_file(path, source="s", kind="ticket").records]
        expected = [t.encode(encoding, errors="ignore").decode(encoding) for t in picked]
        if read != expected:
            wrong.append((i, encoding))
    assert wrong == []


def test_a_character_cut_off_at_the_end_rejects_its_line_not_the_file(tmp_path):
    path = tmp_path / "cut.csv"
    data = "id,date,本文\n1,2026-11-02,注文した商品が届きません\n2,2026-11-02,ログインできません\n".encode("cp932")
    path.write_bytes(data[:-2])  # the last line loses half of 「ん」 and its newline
    result = read_file(path, source="s", kind="ticket")
    assert [r.body for r in result.records] == ["注文した商品が届きません"]
    assert [str(r) for r in result.rejects] == [f"{path}:3: not cp932 text, nor UTF-8, CP932 or EUC-JP"]


def _workbook(path, rows: int):
    """A real workbook of `rows` complaint rows under a header."""
    book = Workbook()
    book.active.append(["id", "date", "本文"])
    for i in range(rows):
        book.active.append([str(i), "2026-11-02", f"{i}件目：届きません"])
    book.save(path)
    return path


def _with_sheet(good, path, rewrite):
    """A copy of the workbook `good` whose first sheet's XML is `rewrite(xml)`."""
    import zipfile

    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, rewrite(data) if item.filename.endswith("sheet1.xml") else data)
    return path


def test_broken_workbooks_are_clear_errors(tmp_path):
    """A workbook whose sheet XML is broken, or whose zip member fails its CRC, passes the opening check and
    breaks while its rows are read: a clear error naming the file, never a traceback."""
    good = _workbook(tmp_path / "good.xlsx", rows=1)
    bad_xml = _with_sheet(good, tmp_path / "bad_xml.xlsx", lambda xml: b"<worksheet><sheetData><row>")
    crc = tmp_path / "crc.xlsx"
    raw = bytearray(good.read_bytes())
    start = raw.find(b"xl/worksheets/sheet1.xml") + 40  # just past the member's name: its deflated data
    for i in range(start, start + 20):
        raw[i] ^= 0x55
    crc.write_bytes(bytes(raw))
    for path in (bad_xml, crc):
        with pytest.raises(SourceError, match=rf"^{path}: "):
            read_file(path, source="s", kind="ticket")


def test_a_workbook_that_breaks_late_stores_nothing(tmp_path):
    """Readability is decided before the first chunk: a workbook whose rows break after the first chunk
    fails at once, with nothing yielded to store (a re-run would otherwise fail at the same row forever)."""
    from sources.files import read_chunks

    good = _workbook(tmp_path / "good.xlsx", rows=30)
    # the sheet's XML cut off after its 20th row
    late = _with_sheet(good, tmp_path / "late.xlsx", lambda xml: xml[: xml.find(b'<row r="21"')])
    chunks = read_chunks(late, source="s", kind="ticket", chunk_rows=5)
    with pytest.raises(SourceError, match=rf"^{late}: workbook unreadable after row 20"):
        next(chunks)

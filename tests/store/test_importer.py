"""The importer against files a stranger could hand over (finding 10): huge fields, a BOM,
bytes that are not UTF-8, broken quoting. Bad rows are named by line and dropped; the good
rows land; nothing escapes as an exception."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from acd.config import Numbers
from acd.core.accounts import check_digit
from acd.core.text import clean_name
from acd.store import db, importer
from acd.store.models import Customer

GENERATED = {"files": 0, "rows": 0}  # counts for the closing note


def names(url: str) -> list[str]:
    with db.engine(url).connect() as connection:
        return list(connection.scalars(select(Customer.name).order_by(Customer.id)))


@pytest.fixture
def sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    return url


def test_a_200_kb_field_is_one_bad_row_and_the_rest_import(sqlite, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        'name,phones\nAnna,030 1110001\n"' + "x" * 200_000 + '",030 1110002\nBen,030 1110003\n'
        'Clara,"030 1110004' + "9" * 200_000 + '"\nDora,\n'
    )
    done = importer.import_csv(db.engine(sqlite), path, Numbers())
    assert [line for line, _ in done.problems] == [3, 5]
    assert all("longer than" in reason for _, reason in done.problems)
    assert names(sqlite) == ["Anna", "Ben", "Dora"]


def test_a_byte_order_mark_before_the_header_is_allowed(sqlite, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffname,phones\r\nAnna,030 1110001\r\n".encode())
    assert importer.import_csv(db.engine(sqlite), path, Numbers()) == importer.Imported(1, [])


def test_undecodable_bytes_nul_broken_quotes_and_extra_fields_name_their_lines(sqlite, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"name,phones\n"
        b"Latin \xe9 One,030 1\n"  # 2: not UTF-8
        b"Nul\x00Name,\n"  # 3: a NUL is stripped like any control
        b'"Multi\nLine",030 1110001\n'  # 4-5: one record, quoted line break
        b"Too,many,fields\n"  # 6
        b"\n"  # 7: blank, skipped
        b"\xe2\x80\xaeEvil\xc2\x9b,\n"  # 8: bidi override and C1 stripped
        b'Open "quote,\n'
    )  # 9: stray quote inside a field is data
    done = importer.import_csv(db.engine(sqlite), path, Numbers())
    lines = dict(done.problems)
    assert set(lines) == {2, 6} and "UTF-8" in lines[2] and "fields" in lines[6]
    assert names(sqlite) == ["NulName", "Multi Line", "Evil", 'Open "quote']


def test_a_header_that_is_not_ours_imports_nothing(sqlite, tmp_path):
    path = tmp_path / "other.csv"
    for header in ("", "phones\n", "name,name\n", "\xff\n"):
        path.write_text(header + "Anna\n", errors="surrogateescape")
        with pytest.raises(importer.ImportFailed) as failed:
            importer.import_csv(db.engine(sqlite), path, Numbers())
        assert failed.value.problems[0][0] == 1
    assert names(sqlite) == []


def _account(body: int) -> str:
    digits = f"{body:07d}"
    return digits + check_digit(digits)


HOSTILE = st.sampled_from(
    [
        "",
        " ",
        ",",
        '"',
        "\n",
        "\r",
        "\r\n",
        ";",
        "\x00",
        "\x9b",
        "\u202e",
        "\ufeff",
        "\udcff",
        "x" * 2000,
        "1e400",
        "é",
        "\t",
    ]
)
FIELD = {
    "name": st.text(max_size=30) | st.sampled_from(["Anna Schmidt", "Ben", "\u202eEvil", "x" * 200]),
    "phones": st.sampled_from(["030 1110001", "+49 151 2223334", "030 1110001;030 1110002", "12x", ""]),
    "language": st.sampled_from(["de", "en", "", "DE", "deu"]),
    "segment": st.sampled_from(["", "premium", "Premium", "a" * 30]),
    "vip": st.sampled_from(["yes", "no", "", "maybe"]),
    "date_of_birth": st.sampled_from(["1980-02-01", "", "1980-13-01", "yesterday"]),
    "postcode": st.sampled_from(["10115", "", "<script>", "SW1A 1AA"]),
    "pin": st.sampled_from(["", "4711", "12", "abcd"]),
    "accounts": st.integers(1, 30).map(_account) | st.sampled_from(["", "20000019", "x"]),
}
ROW = st.fixed_dictionaries({}, optional=FIELD).flatmap(
    lambda row: st.tuples(st.just(row), st.dictionaries(st.sampled_from(list(FIELD)), HOSTILE, max_size=2))
)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.sqlite3"
    db.migrate(f"sqlite:///{path}")
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, max_size=25), st.booleans(), st.booleans(), st.booleans())
def test_generated_files_never_raise_and_every_row_is_imported_or_named(template, rows, bom, crlf, quote_all):
    columns = list(FIELD)
    records = [[(good.get(c, "") + hostile.get(c, "")) for c in columns] for good, hostile in rows]
    if any("\r" in field for record in records for field in record):
        quote_all = True  # Python 3.11's writer leaves a lone CR unquoted: a reader sees two records
    text = io.StringIO(newline="")
    writer = csv.writer(
        text,
        lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(columns)
    writer.writerows(records)
    data = ("\ufeff" if bom else "") + text.getvalue()
    GENERATED["files"] += 1
    GENERATED["rows"] += len(records)
    with tempfile.TemporaryDirectory() as scratch:
        store, path = Path(scratch) / "store.sqlite3", Path(scratch) / "in.csv"
        shutil.copy(template, store)
        path.write_bytes(data.encode("utf-8", "surrogateescape"))
        url = f"sqlite:///{store}"
        with mock.patch.object(importer, "hash_pin", lambda pin: "scrypt$x$y"):
            done = importer.import_csv(db.engine(url), path, Numbers())
        with db.engine(url).connect() as connection:
            stored = connection.scalar(select(func.count(Customer.id)))
        bad = {line for line, _ in done.problems}
        assert stored == done.written
        assert done.written + len(bad) == len(records)  # each row: imported, or named once
        assert all(2 <= line <= data.count("\n") + data.count("\r") + 1 for line in bad)
        shown = {clean_name(r[0], 1000) for r in records}
        assert set(names(url)) <= shown


def test_zz_generated_counts():
    """Prints how many files and rows the property test generated (for the closing note)."""
    print(f"importer property test: {GENERATED['files']} files, {GENERATED['rows']} rows")

"""The SQLite index: hash round trips, stored facts, schema checks, prefix queries."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import encode, hamming, scene
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.errors import IndexFileError
from reconcile.facts import CROPS, FileFacts, Fine, Fingerprint, Task
from reconcile.media.analyse import analyse
from reconcile.store.index import Index, remove_index
from reconcile.store.rows import to_signed, to_unsigned
from reconcile.store.schema import APPLICATION_ID
from reconcile.store.schema import VERSION as SCHEMA_VERSION


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_hashes_survive_sqlite_over_the_full_range(dhash: int, phash: int) -> None:
    """Every unsigned 64-bit value is stored as a signed int64 and read back unchanged."""
    assert to_unsigned(to_signed(dhash)) == dhash
    print_ = Fingerprint(dhash, phash, bytes(64 * 64), bytes(192), 3, 2)
    with Index(":memory:") as index:
        index.store([FileFacts("/x/a.jpg", 1, 2, digest=b"d" * 16, full=print_)])
        (id_,) = index.ids_for(["/x/a.jpg"]).values()
        assert index.entry(id_).full == print_


def test_facts_round_trip_with_an_undecodable_name(tmp_path: Path) -> None:
    """A real file's facts, under a name that is not valid UTF-8, come back as stored."""
    name = os.fsdecode(b"caf\xe9 \xff.jpg")
    path = tmp_path / name
    path.write_bytes(encode(scene(1), ".jpg"))
    facts = analyse(Task(str(path), path.stat().st_size, path.stat().st_mtime_ns))
    assert facts.full is not None and facts.reason is None
    with Index(str(tmp_path / "i.sqlite")) as index:
        index.store([facts])
        known = index.known_under(str(tmp_path))
        assert list(known) == [os.fsencode(str(path))]
        entry = index.entry(known[os.fsencode(str(path))].id)
    assert entry.path == str(path)
    assert (entry.digest, entry.full, entry.reason) == (facts.digest, facts.full, None)


def test_trimmed_print_round_trips_with_its_detail(tmp_path: Path) -> None:
    """A letterboxed picture's trimmed print comes back whole, its detail included."""
    picture = scene(2, 300, 400)
    boxed = np.pad(picture, ((50, 50), (0, 0), (0, 0)))
    path = tmp_path / "boxed.png"
    path.write_bytes(encode(boxed, ".png"))
    facts = analyse(Task(str(path), 1, 1))
    assert facts.trimmed is not None and facts.trimmed.detail > 1
    with Index(str(tmp_path / "i.sqlite")) as index:
        index.store([facts])
        entry = index.entry(index.ids_for([str(path)])[str(path)])
    assert entry.trimmed == facts.trimmed and entry.full == facts.full


def test_a_failure_is_stored_as_a_fact(tmp_path: Path) -> None:
    """A file that cannot be decoded is remembered with its reason, not retried each run."""
    with Index(str(tmp_path / "i.sqlite")) as index:
        index.store([FileFacts("/p/bad.jpg", 3, 4, digest=b"x" * 16, reason="empty file")])
        entry = index.entry(index.ids_for(["/p/bad.jpg"])["/p/bad.jpg"])
    assert (entry.full, entry.reason) == (None, "empty file")


def test_prefix_queries_do_not_leak_into_sibling_folders(tmp_path: Path) -> None:
    """Files under /a/b2 are not under /a/b."""
    with Index(str(tmp_path / "i.sqlite")) as index:
        index.store([FileFacts(p, 1, 1) for p in ("/a/b/x.jpg", "/a/b2/y.jpg", "/a/bx.jpg")])
        assert set(index.known_under("/a/b")) == {b"/a/b/x.jpg"}


def test_an_index_from_another_schema_is_refused(tmp_path: Path) -> None:
    """An index with another schema version gives one clear error, never a traceback."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE files (x)")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(IndexFileError, match="another version of reconcile"):
        Index(str(path))


def test_another_programs_sqlite_file_is_never_written(tmp_path: Path) -> None:
    """An SQLite file that is not ours (another application's, even one with a `files` table
    and a small user_version) is refused, and neither opening nor --rebuild changes it."""
    path = tmp_path / "Photos.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE files (name TEXT)")
        db.execute("PRAGMA user_version = 2")
    before = path.read_bytes()
    with pytest.raises(IndexFileError, match="not a reconcile index"):
        Index(str(path))
    with pytest.raises(IndexFileError, match="--rebuild leaves it untouched"):
        remove_index(str(path))
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    """Random bytes where the index should be: a clear error naming the file."""
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexFileError, match="not a reconcile index"):
        Index(str(path))


def test_index_uses_wal_and_records_its_schema(tmp_path: Path) -> None:
    """A new index is in WAL mode with the current schema version."""
    path = tmp_path / "new.sqlite"
    Index(str(path)).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_1_index_is_kept_and_upgraded(tmp_path: Path) -> None:
    """Version 1 stored a digest for every file; it is upgraded, entries intact."""
    path = tmp_path / "v1.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(V1_SCHEMA)
        db.execute("INSERT INTO files (path, size, mtime_ns, digest) VALUES (?, 1, 2, ?)",
                   (b"/p/a.jpg", b"a" * 16))  # fmt: skip
        db.execute("PRAGMA user_version = 1")
    with Index(str(path)) as index:
        known = index.known_under("/p")[b"/p/a.jpg"]
        assert (known.digest, known.quick) == (b"a" * 16, False)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 14
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_a_version_4_index_gets_the_new_detail_from_its_thumbnails(tmp_path: Path) -> None:
    """Schema 5 measures detail anew: an index of version 4 is upgraded in place, each
    picture's detail (and its trimmed print's) recomputed from the stored thumbnail."""
    picture = np.pad(scene(3, 300, 400), ((50, 50), (0, 0), (0, 0)))
    path = tmp_path / "boxed.png"
    path.write_bytes(encode(picture, ".png"))
    facts = analyse(Task(str(path), 1, 1))
    assert facts.full is not None and facts.trimmed is not None
    db_path = tmp_path / "i.sqlite"
    with Index(str(db_path)) as index:
        index.store([facts])
    with sqlite3.connect(db_path) as db:  # what version 4 stored: detail on its old scale
        db.execute("UPDATE files SET detail = 99, tdetail = 98")
        db.execute("DROP TABLE looks")
        for column in ("inode", "ctime_ns", "sample"):  # schema 6's
            db.execute(f"ALTER TABLE files DROP COLUMN {column}")
        db.execute("PRAGMA user_version = 4")
    with Index(str(db_path)) as index:
        entry = index.entry(index.ids_for([str(path)])[str(path)])
    assert entry.full is not None and entry.trimmed is not None
    assert entry.full.detail == pytest.approx(facts.full.detail)
    assert entry.trimmed.detail == pytest.approx(facts.trimmed.detail)


V1_SCHEMA = """CREATE TABLE files (
    id INTEGER PRIMARY KEY, path BLOB NOT NULL UNIQUE, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, digest BLOB, reason TEXT,
    width INTEGER, height INTEGER, dhash INTEGER, phash INTEGER, thumb BLOB, colour BLOB,
    crops BLOB, detail REAL,
    twidth INTEGER, theight INTEGER, tdhash INTEGER, tphash INTEGER, tthumb BLOB, tcolour BLOB,
    tdetail REAL)"""


def test_a_version_6_index_gets_the_new_crop_views_and_reads_paged_files_again(
    tmp_path: Path,
) -> None:
    """Schema 7 adds crop views (10 % a side, a square, 4:3): an index of version 6 gets them
    hashed from each stored thumbnail, close to what the picture itself gives; files that
    may hold several pictures (a GIF here) are marked to be fingerprinted again."""
    photo, gif = tmp_path / "photo.jpg", tmp_path / "anim.gif"
    photo.write_bytes(encode(scene(4, 400, 600), ".jpg"))
    gif.write_bytes(encode(scene(5, 200, 300), ".png"))  # a one-frame picture named .gif
    facts = [analyse(Task(str(p), p.stat().st_size, 1)) for p in (photo, gif)]
    fresh = facts[0].full
    assert fresh is not None and len(fresh.crops) == len(CROPS)
    db_path = tmp_path / "i.sqlite"
    with Index(str(db_path)) as index:
        index.store(facts)
    with sqlite3.connect(db_path) as db:  # what version 6 stored: two crop views
        for id_, packed in db.execute("SELECT id, crops FROM files").fetchall():
            db.execute("UPDATE files SET crops = ? WHERE id = ?", (packed[:32], id_))
        for column in ("pages", "audio"):
            db.execute(f"ALTER TABLE files DROP COLUMN {column}")
        db.execute("PRAGMA user_version = 6")
    with Index(str(db_path)) as index:
        entry = index.entry(index.ids_for([str(photo)])[str(photo)])
    assert entry.full is not None and entry.full.crops[:2] == fresh.crops[:2]
    for (dh, ph), (fdh, fph) in zip(entry.full.crops[2:], fresh.crops[2:], strict=True):
        assert hamming(dh, fdh) <= 8 and hamming(ph, fph) <= 8
    with sqlite3.connect(db_path) as db:
        mtimes = dict(db.execute("SELECT CAST(path AS TEXT), mtime_ns FROM files"))
    assert mtimes == {str(photo): 1, str(gif): -1}


def test_a_version_13_index_reads_its_heifs_again(tmp_path: Path) -> None:
    """Schema 14 reads every picture of a HEIF (a burst, a spatial photo's two views), which
    earlier versions read as its primary picture alone: an index of version 13 marks its
    HEIF rows to be fingerprinted again (any case of the extension); other rows stay."""
    db_path = tmp_path / "i.sqlite"
    with Index(str(db_path)):
        pass
    with sqlite3.connect(db_path) as db:
        for number, name in enumerate(("IMG_1.HEIC", "burst.heif", "R5.hif", "IMG_2.JPG")):
            db.execute("INSERT INTO files (path, size, mtime_ns) VALUES (?, 1, ?)",
                       (f"/p/{name}".encode(), 10 + number))  # fmt: skip
        db.execute("PRAGMA user_version = 13")
    with Index(str(db_path)) as index:
        known = index.known_under("/p")
    assert {path: row.mtime_ns for path, row in known.items()} == {
        b"/p/IMG_1.HEIC": -1,
        b"/p/burst.heif": -1,
        b"/p/R5.hif": -1,
        b"/p/IMG_2.JPG": 13,
    }


@pytest.mark.parametrize(
    ("version", "lacking"),
    [
        (10, ("focus", "relative_tone", "plain", "spread_plain")),
        (11, ("plain", "spread_plain")),
        (12, ()),  # resampled pairs' looks held no plain difference
    ],
)
def test_an_older_index_forgets_its_looks_and_keeps_its_files(
    tmp_path: Path, version: int, lacking: tuple[str, ...]
) -> None:
    """Schema 11 measures each look's focus and relative tone, 12 its plain difference, 13
    that of resampled pairs too: the looks an older index kept lack them, so they go (to be
    taken again when needed); its files stay as they were."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(encode(scene(6, 300, 400), ".jpg"))
    facts = analyse(Task(str(photo), photo.stat().st_size, 1))
    db_path = tmp_path / "i.sqlite"
    with Index(str(db_path)) as index:
        index.store([facts])
        id_ = index.ids_for([str(photo)])[str(photo)]
        index.store_looks({(id_, id_): Fine(400, 300, 1.0, 1.0, 0.0, 0.0, (0.5, 0.5))})
    with sqlite3.connect(db_path) as db:  # what that version kept: a look without them
        for column in lacking:
            db.execute(f"ALTER TABLE looks DROP COLUMN {column}")
        db.execute(f"PRAGMA user_version = {version}")
    with Index(str(db_path)) as index:
        assert index.looks([(id_, id_)]) == {}
        entry = index.entry(id_)
        look = Fine(400, 300, 1.0, 1.0, 0.0, 0.0, (0.5, 0.5), focus=0.3, plain=7.5)
        index.store_looks({(id_, id_): look})
        assert index.looks([(id_, id_)])[(id_, id_)] == look
    assert entry.full is not None and facts.full is not None
    assert entry.full.dhash == facts.full.dhash


def test_a_warm_run_verifies_no_pair_twice_and_a_changed_file_is_verified_again(
    tmp_path: Path,
) -> None:
    """How each pair of thumbnails compared is kept: a second run over unchanged files
    writes no comparison (it made none) and decides the same; a library file rewritten
    forgets its pairs, which the next run compares again."""
    from conftest import resized, write

    from reconcile import reconcile

    lib, backup = tmp_path / "lib", tmp_path / "backup"
    photos = [scene(seed, 300, 400) for seed in (41, 42, 43)]
    for number, photo in enumerate(photos):
        write(lib / f"{number}.jpg", photo, 92)
    shot = photos[0].copy()
    shot[100:180, 150:260] = photos[0][100:180, 190:300]  # a burst: a close candidate
    write(lib / "burst.jpg", shot, 92)
    write(backup / "export.jpg", resized(photos[0], 0.5), 80)
    write(backup / "new.jpg", scene(44, 300, 400), 85)
    db = str(tmp_path / "i.sqlite")
    args = {"haystack": [str(lib)], "needles": [str(backup)], "db": db}

    def kept() -> list[tuple[int, int, int, str]]:
        with sqlite3.connect(db) as index:
            return index.execute(
                "SELECT rowid, needle, hay, views FROM compared ORDER BY rowid"
            ).fetchall()

    first = reconcile(**args)
    pairs = kept()
    assert pairs, "the first run compared candidate pairs and kept them"
    second = reconcile(**args)
    assert kept() == pairs  # nothing compared again, nothing written
    assert [(i.path, i.status, i.match) for i in second.items] == [
        (i.path, i.status, i.match) for i in first.items
    ]
    write(lib / "burst.jpg", scene(45, 300, 400), 92)  # another photo under the name
    with Index(db) as index:
        burst = index.ids_for([str(lib / "burst.jpg")])[str(lib / "burst.jpg")]
    reconcile(**args)
    old = [row for row in pairs if row[2] == burst]
    assert old, "the burst was a candidate of the export"
    assert not set(old) & set(kept())  # its pairs were forgotten (and compared anew)
    assert [row for row in pairs if row[2] != burst] == [
        row for row in kept() if row in pairs and row[2] != burst
    ]

"""Speed benchmark: images/s against the classic approach, measured in one run.

    python -m bench.speed                 # builds bench/.cache/corpus12mp on first use
    python -m bench.speed --files 48 --index-files 100000
    python -m bench.speed --floor-only --sizes 120,400 --dask   # the issue 13 ratios (600 files
                                                                # made once, a few minutes)

Prints, for camera-like 12 MP JPEGs (with the 160 x 120 EXIF thumbnail cameras embed): the
classic approach (cv2.imread + cvtColor + resize + dHash), imagehash, reconcile with one job,
with every core, and with every core and --quick, and the decode floor (djpeg -scale 1/8
-grayscale, when libjpeg-turbo-progs is installed, and Pillow's 1/8 draft decode, also in one
process per core);
a second run over the unchanged corpus as a fraction of the first; 10,000 needle hashes against
1,000,000 index entries against brute force; and the peak memory of indexing many small files.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from reconcile import reconcile
from reconcile.match.search import HammingIndex, brute_force
from reconcile.match.verify import DEFAULT
from tests.camera import camera_jpeg

CACHE = Path(__file__).resolve().parent / ".cache"


def build_corpus(folder: Path, count: int) -> list[Path]:
    """Camera-like 12 MP JPEGs (4000 x 3000, sensor noise, quality 92, an EXIF thumbnail),
    made once."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("*.jpg"))
    if len(paths) >= count:
        return paths[:count]
    from bench.sources import photographs

    sources = photographs()
    rng = np.random.default_rng(0)
    for number in range(len(paths), count):
        rgb = sources[number % len(sources)].load()
        big = cv2.resize(rgb, (4000, 3000), interpolation=cv2.INTER_CUBIC)
        if number // len(sources) % 2:
            big = np.ascontiguousarray(big[:, ::-1])
        noise = rng.normal(0, 5, big.shape).astype(np.float32)
        big = np.clip(big.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        (folder / f"IMG_{number:04d}.jpg").write_bytes(camera_jpeg(big, 92))
    return sorted(folder.glob("*.jpg"))[:count]


def classic(path: Path) -> int:
    """The PyImageSearch script: full decode, grayscale, 9x8 resize, difference hash."""
    image = cv2.imread(str(path))
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, (9, 8))
    bits = small[:, 1:] > small[:, :-1]
    return sum(1 << i for i, v in enumerate(bits.flatten()) if v)


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def reconcile_index(
    paths: list[Path], jobs: int, db: str, rebuild: bool = True, quick: bool = False
) -> None:
    """Index the corpus as a haystack (the needles: one small folder)."""
    needles = Path(tempfile.mkdtemp())
    try:
        (needles / "one.jpg").write_bytes(paths[0].read_bytes())
        reconcile(haystack=[str(paths[0].parent)], needles=[str(needles)], db=db, jobs=jobs,
                  rebuild=rebuild, quick=quick)  # fmt: skip
    finally:
        shutil.rmtree(needles)


def decode_floor_djpeg(paths: list[Path]) -> None:
    for path in paths:
        subprocess.run(
            ["djpeg", "-scale", "1/8", "-grayscale", "-outfile", os.devnull, str(path)],
            check=True,
        )


def decode_floor_pillow(paths: list[Path]) -> None:
    for path in paths:
        decode_floor_one(path)


def decode_floor_one(path: Path, mode: str = "L") -> None:
    with Image.open(path) as image:
        image.draft(mode, (image.width // 8, image.height // 8))
        image.load()


def decode_floor_parallel(paths: list[Path], processes: int, mode: str = "L") -> None:
    """The decode floor in one process per core: what every core can do at best. `mode` "RGB"
    is the colour floor: the matcher's colour checks need the chroma a grey decode skips."""
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(partial(decode_floor_one, mode=mode), paths, chunksize=4))


def stages_section(count: int, rounds: int) -> None:
    """Where a 12 MP JPEG's time goes in one worker, stage by stage, best of `rounds`: the
    decode floor, our decode (header checks, EXIF orientation, Pillow to numpy), the
    fingerprints, the border trim, and analyse() whole."""
    from reconcile.facts import Task
    from reconcile.media.analyse import analyse
    from reconcile.media.decode import decode
    from reconcile.media.fingerprint import fingerprint, trim_border

    paths = build_corpus(CACHE / "camera12mp", count)
    data = [path.read_bytes() for path in paths]
    pixels = [decode(blob) for blob in data]
    stages: dict[str, Callable[[], object]] = {
        "decode floor, grey: Pillow draft('L', 1/8)": lambda: [decode_floor_one(p) for p in paths],
        "decode floor, colour: draft('RGB', 1/8)": lambda: [
            decode_floor_one(p, mode="RGB") for p in paths
        ],
        "reconcile.media.decode (from bytes)": lambda: [decode(blob) for blob in data],
        "fingerprint (hashes, thumbnails, views)": lambda: [
            fingerprint(p.rgb, width=p.width, height=p.height) for p in pixels
        ],
        "trim_border": lambda: [trim_border(p.rgb) for p in pixels],
        "analyse (read, decode, fingerprint)": lambda: [
            analyse(Task(str(p), p.stat().st_size, 0, want_digest=False)) for p in paths
        ],
    }
    best = {name: float("inf") for name in stages}
    for _ in range(rounds):
        for name, run in stages.items():
            best[name] = min(best[name], timed(run))
    print(f"\nwhere one file's time goes, one process, {count} files, best of {rounds}:")
    floor = best["decode floor, grey: Pillow draft('L', 1/8)"]
    for name, seconds in best.items():
        print(f"  {name:<44} {1000 * seconds / count:6.1f} ms  {seconds / floor:5.2f}x floor")


def floor_section(sizes: list[int], rounds: int) -> None:
    """Reconcile on all cores against the decode floors on all cores, at each library size,
    in one run, interleaved; --quick against the same floors."""
    corpus = build_corpus(CACHE / "camera12mp", max(sizes))
    for path in corpus:
        path.read_bytes()  # into the page cache: we measure decoding, not the disk
    cores = os.cpu_count() or 1
    print(f"\nall cores ({cores}) against the decode floor on all cores, camera-like 12 MP JPEGs,")
    print(f"best of {rounds} interleaved rounds, a fresh index each time:")
    for count in sizes:
        folder = _linked(corpus[:count], f"first{count}")  # a folder of exactly `count`
        paths = sorted(folder.glob("*.jpg"))
        tmp = Path(tempfile.mkdtemp())
        db = str(tmp / "i.sqlite")
        approaches: dict[str, Callable[[], object]] = {
            "reconcile": partial(reconcile_index, paths, cores, db),
            "reconcile --quick": partial(reconcile_index, paths, cores, db, quick=True),
            "grey floor": partial(decode_floor_parallel, paths, cores),
            "colour floor": partial(decode_floor_parallel, paths, cores, mode="RGB"),
        }
        best = {name: float("inf") for name in approaches}
        for _ in range(rounds):
            for name, run in approaches.items():
                best[name] = min(best[name], timed(run))
        shutil.rmtree(tmp)
        rate = {name: count / seconds for name, seconds in best.items()}
        print(
            f"  {count} files: reconcile {rate['reconcile']:.1f}/s, grey floor "
            f"{rate['grey floor']:.1f}/s, colour floor {rate['colour floor']:.1f}/s, --quick "
            f"{rate['reconcile --quick']:.1f}/s"
        )
        target = ">= 85 %" if count >= 400 else ">= 70 %"
        for name in ("reconcile", "reconcile --quick"):
            print(
                f"    {name} vs grey floor {rate[name] / rate['grey floor']:.1%} "
                f"(target {target}), vs colour floor {rate[name] / rate['colour floor']:.1%}"
                + (" (target >= 95 %)" if name == "reconcile" else "")
            )


def _linked(corpus: list[Path], name: str) -> Path:
    """A folder of hard links to `corpus` (the same files, page-cached once)."""
    folder = CACHE / name
    if not folder.is_dir():
        folder.mkdir()
        for path in corpus:
            os.link(path, folder / path.name)
    return folder


def build_phone_corpus(folder: Path, count: int) -> list[Path]:
    """Phone-like 12 MP HEICs as iPhones write them: 4032 x 3024 in a grid of 512 px tiles
    (which libheif decodes on several threads), with sensor noise and the 320 px thumbnail
    iPhones embed; made once (libx265 takes seconds a photo)."""
    import pillow_heif

    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("*.HEIC"))
    if len(paths) >= count:
        return paths[:count]
    from bench.sources import photographs

    sources = photographs()
    rng = np.random.default_rng(1)
    for number in range(len(paths), count):
        rgb = sources[(number * 7) % len(sources)].load()
        big = cv2.resize(rgb, (4032, 3024), interpolation=cv2.INTER_CUBIC)
        noise = rng.normal(0, 4, big.shape).astype(np.float32)
        big = np.clip(big.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        heif = pillow_heif.from_pillow(Image.fromarray(big))
        heif.save(folder / f"IMG_{number:04d}.HEIC", quality=60, thumbnails=[320],
                  tile_size=512)  # fmt: skip
    return sorted(folder.glob("*.HEIC"))[:count]


def _heif_floor_one(path: Path) -> None:
    import pillow_heif

    pillow_heif.open_heif(path).to_pillow().load()


def _compiled() -> None:
    """Our modules' bytecode written, as `pip install .` writes it: whole runs are timed as a
    user starts them, and a Python told not to write bytecode (PYTHONDONTWRITEBYTECODE, as
    on the machine these figures come from) would compile every module on every start
    (0.07 s a run)."""
    import compileall

    import reconcile as package

    compileall.compile_dir(os.path.dirname(package.__file__), quiet=1)


def _whole_run(args: list[str]) -> float:
    """One run of the command line as a user would start it, start-up included."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reconcile", *args, "-q"], check=False,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def phone_section(rounds: int, count: int = 24) -> None:
    """A phone library: reconcile (default and --quick) indexing 12 MP HEICs, as whole
    processes, against the HEIC floor (pillow-heif decoding every file, one process per
    core), interleaved; and whether --quick gives the same statuses."""
    corpus = build_phone_corpus(CACHE / "phone12mp-tiled", count)
    for path in corpus:
        path.read_bytes()
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp())
    backup = tmp / "backup"
    backup.mkdir()
    import pillow_heif

    from bench.sources import photographs

    sources = photographs()
    used = {(number * 7) % len(sources) for number in range(count)}
    stranger = next(i for i in range(len(sources)) if i not in used)  # a photo not in it
    Image.fromarray(sources[stranger].load()).save(backup / "new.jpg", quality=85)

    for number in (0, 5, 11):  # the phone's own JPEG exports of three library photos
        picture = pillow_heif.open_heif(corpus[number]).to_pillow()
        picture.convert("RGB").resize((2016, 1512)).save(backup / f"IMG_{number:04d}.JPG",
                                                          quality=88)  # fmt: skip

    def floor() -> None:
        with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_heif_floor_one, corpus))

    def run(quick: bool) -> float:
        db = tmp / ("quick.sqlite" if quick else "full.sqlite")
        flags = ["--rebuild", *(["--quick"] if quick else [])]
        return _whole_run(["--haystack", str(corpus[0].parent), "--needles", str(backup),
                           "--db", str(db), *flags])  # fmt: skip

    best = {"HEIC floor": float("inf"), "reconcile": float("inf"), "--quick": float("inf")}
    for _ in range(rounds):
        best["HEIC floor"] = min(best["HEIC floor"], timed(floor))
        best["reconcile"] = min(best["reconcile"], run(False))
        best["--quick"] = min(best["--quick"], run(True))
    statuses = {}
    for quick in (False, True):
        db = tmp / ("quick.sqlite" if quick else "full.sqlite")
        result = subprocess.run(
            [sys.executable, "-m", "reconcile", "--haystack", str(corpus[0].parent), "--needles",
             str(backup), "--db", str(db), "-q", "--format", "csv",
             *(["--quick"] if quick else [])],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        statuses[quick] = sorted(line.split(",")[1:3] for line in result.stdout.splitlines()[1:])
    shutil.rmtree(tmp)
    floor_rate = count / best["HEIC floor"]
    print(f"\na phone library of {count} HEICs (12 MP, a 320 px thumbnail each) and a backup of "
          f"4, all cores, whole processes, best of {rounds}:")  # fmt: skip
    for name, seconds in best.items():
        print(f"  {name:<12} {seconds:6.2f} s  {count / seconds:5.1f} files/s  "
              f"{count / seconds / floor_rate:6.1%} of the HEIC floor")  # fmt: skip
    print(f"  default vs the HEIC floor: {best['HEIC floor'] / best['reconcile']:.1%}"
          " (target >= 85 %)")  # fmt: skip
    print(
        f"  --quick vs the HEIC floor: {best['HEIC floor'] / best['--quick']:.2f}x faster "
        "(target >= 4x)"
    )
    print(
        f"  --quick gives the same statuses: {statuses[True] == statuses[False]} "
        f"({statuses[False]})"
    )


def build_scenes_corpus(folder: Path) -> tuple[Path, Path]:
    """A library and a backup shaped like real ones, where many backup photos have several
    close candidates: 40 scenes, each 10 crops in the library (a burst, a photographer's
    reframings) and 3 other crops in the backup, and 80 backup photos of other scenes; all
    camera-like 12 MP JPEGs, made once."""
    library, backup = folder / "library", folder / "backup"
    if (folder / "done").exists():
        return library, backup
    from bench.sources import photographs

    library.mkdir(parents=True, exist_ok=True)
    backup.mkdir(parents=True, exist_ok=True)
    sources = photographs()
    rng = np.random.default_rng(22)

    def shot(rgb: np.ndarray, path: Path) -> None:
        h, w = rgb.shape[:2]
        scale = rng.uniform(0.75, 0.9)
        ch, cw = int(h * scale), int(min(w, h * scale * 4 / 3))
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        big = cv2.resize(rgb[y : y + ch, x : x + cw], (4000, 3000), interpolation=cv2.INTER_CUBIC)
        noisy = np.clip(big + rng.normal(0, 5, big.shape), 0, 255).astype(np.uint8)
        path.write_bytes(camera_jpeg(noisy, 92))

    for scene_number in range(40):
        rgb = sources[scene_number].load()
        for take in range(10):
            shot(rgb, library / f"scene{scene_number:02d}-{take}.jpg")
        for take in range(3):
            shot(rgb, backup / f"scene{scene_number:02d}-other{take}.jpg")
    for number in range(80):
        shot(sources[40 + number % (len(sources) - 40)].load(), backup / f"new{number:02d}.jpg")
    (folder / "done").write_text("")
    return library, backup


def _scenes_subset(library: Path, backup: Path, scenes: int) -> tuple[Path, Path]:
    """The first `scenes` scenes of the many-candidates corpus (10 library crops and 3 backup
    crops each) and twice as many other backup photos, as hard links: 16 files a scene."""
    root = CACHE / f"scenes{scenes}"
    subset = root / "library", root / "backup"
    if not root.is_dir():
        for folder in subset:
            folder.mkdir(parents=True)
        kept = [f"scene{number:02d}-" for number in range(scenes)]
        for path in library.glob("*.jpg"):
            if path.name.startswith(tuple(kept)):
                os.link(path, subset[0] / path.name)
        others = sorted(backup.glob("new*.jpg"))[: 2 * scenes]
        for path in [*backup.glob("scene*.jpg"), *others]:
            if path.name.startswith(tuple(kept)) or path in others:
                os.link(path, subset[1] / path.name)
    return subset


def candidates_section(rounds: int) -> None:
    """Cold and warm runs, as whole processes, on a corpus where backup photos have many
    close candidates (build_scenes_corpus: 600 files, and a subset of 120), against the
    all-cores grey decode floor of the same files measured in the same run, interleaved."""
    library, backup = build_scenes_corpus(CACHE / "scenes")
    corpora = {600: (library, backup), 120: _scenes_subset(library, backup, 8)}
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp())
    args = {
        size: ["--haystack", str(hay), "--needles", str(needles), "--db", str(tmp / f"{size}.db")]
        for size, (hay, needles) in corpora.items()
    }
    best: dict[tuple[int, str], float] = {}
    for _ in range(rounds):
        for size, (hay, needles) in corpora.items():
            files = sorted([*hay.glob("*.jpg"), *needles.glob("*.jpg")])
            for path in files:
                path.read_bytes()
            for name, run in (
                ("grey floor", lambda f=files: timed(partial(decode_floor_parallel, f, cores))),
                ("cold", lambda a=args[size]: _whole_run([*a, "--rebuild"])),
                ("warm", lambda a=args[size]: _whole_run(a)),
            ):
                best[(size, name)] = min(best.get((size, name), float("inf")), run())
    summaries = {}
    for size, shown_args in args.items():
        result = subprocess.run(
            [sys.executable, "-m", "reconcile", *shown_args, "-q", "--format", "json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        summaries[size] = json.loads(result.stdout)["summary"]
    shutil.rmtree(tmp)
    print(f"\nmany candidates: a library of 400 (40 scenes, 10 crops each), a backup of 200 (3 "
          f"other crops of each scene, 80 other photos), and the 120 files of 8 of those scenes "
          f"with 16 other photos; {cores} cores, whole processes, best of {rounds}:")  # fmt: skip
    shown = ("identical", "same", "similar", "missing")
    for size, target in ((600, 85), (120, 70)):
        floor, cold, warm = (best[(size, name)] for name in ("grey floor", "cold", "warm"))
        print(f"  {size} files: grey floor {floor:6.2f} s, cold {cold:6.2f} s, warm {warm:5.2f} s")
        print(f"    cold vs the all-cores grey floor: {floor / cold:.1%} (target >= {target} %)")
        # A warm run's start-up (Python, imports, the walk, the index) is a fixed cost: the
        # target is for the 600 files a backup of this shape has.
        said = " (target <= 5 %)" if size == 600 else ""
        print(f"    warm re-run: {warm / cold:.1%} of cold{said}")
        print("    statuses: " + ", ".join(f"{k} {summaries[size][k]}" for k in shown))


def warm_section(rounds: int) -> None:
    """A run over 600 files (a library of 400, a backup of 200 other photos), then the same
    run again with nothing changed: the second should read the index and decode nothing."""
    corpus = build_corpus(CACHE / "camera12mp", 600)
    library, backup = _linked(corpus[:400], "first400"), _linked(corpus[400:], "next200")
    tmp = Path(tempfile.mkdtemp())
    db = str(tmp / "i.sqlite")
    cores = os.cpu_count() or 1

    def run(rebuild: bool) -> None:
        reconcile(haystack=[str(library)], needles=[str(backup)], db=db, jobs=cores,
                  rebuild=rebuild)  # fmt: skip

    cold = warm = float("inf")
    for _ in range(rounds):
        cold = min(cold, timed(lambda: run(True)))
        warm = min(warm, timed(lambda: run(False)))
    shutil.rmtree(tmp)
    print(f"\n600 files (400 library, 200 backup), all cores, best of {rounds}:")
    print(f"  cold run {cold:.2f} s, warm re-run {warm:.3f} s = {warm / cold:.1%} of the cold "
          "run (target <= 5 %)")  # fmt: skip


def startup_section(rounds: int) -> None:
    """How soon a fresh pool answers: workers forked from this process (Linux), against
    workers started as new programs (`python -m reconcile.work.worker`, which import numpy,
    OpenCV and Pillow again), one small JPEG per worker."""
    import reconcile.work.pool as pool
    from reconcile.facts import Task

    folder = Path(tempfile.mkdtemp())
    cores = os.cpu_count() or 1
    tasks = []
    for number in range(cores):
        path = folder / f"{number}.jpg"
        Image.new("RGB", (64, 48), (number, 80, 120)).save(path)
        tasks.append(Task(str(path), path.stat().st_size, path.stat().st_mtime_ns))

    def answered(fork: bool) -> None:
        saved, pool._FORK = pool._FORK, fork and pool._FORK
        try:
            with pool.ProcessPool(cores) as workers:
                list(workers.analyse(tasks))
        finally:
            pool._FORK = saved

    ways = {"forked (Linux)": True, "started as programs": False}
    best = {name: float("inf") for name in ways}
    for _ in range(rounds):
        for name, fork in ways.items():
            best[name] = min(best[name], timed(partial(answered, fork)))
    shutil.rmtree(folder)
    print(f"\na fresh pool of {cores} workers, first answers, best of {rounds}:")
    for name, seconds in best.items():
        print(f"  {name:<22} {1000 * seconds:7.1f} ms")


def speed_section(count: int, rounds: int) -> None:
    # A folder of exactly these files: the corpus folder holds as many as the largest
    # section asked for, and indexing it would time them all.
    paths = sorted(_linked(build_corpus(CACHE / "camera12mp", count)[:count], f"first{count}")
                   .glob("*.jpg"))  # fmt: skip
    size = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
    for path in paths:  # everything in the page cache: we measure decoding, not the disk
        path.read_bytes()
    cores = os.cpu_count() or 1
    print(f"\n{len(paths)} JPEGs of 4000x3000, {size:.1f} MB each on average, {cores} cores;")
    print(f"best of {rounds} interleaved rounds per approach (the machine is shared and noisy)")
    tmp = Path(tempfile.mkdtemp())
    db = str(tmp / "i.sqlite")
    approaches: dict[str, Callable[[], object]] = {
        "classic: cv2.imread, cvtColor, resize, dHash": lambda: [classic(p) for p in paths],
        "reconcile, 1 job (decode+prints+SQLite)": lambda: reconcile_index(paths, 1, db),
        f"reconcile, all cores ({cores} jobs)": lambda: reconcile_index(paths, cores, db),
        "decode floor: Pillow draft('L', 1/8)": lambda: decode_floor_pillow(paths),
        f"decode floor, all cores ({cores} processes)": lambda: decode_floor_parallel(paths, cores),
        f"reconcile --quick, all cores ({cores} jobs)": lambda: reconcile_index(
            paths, cores, db, quick=True
        ),
    }
    try:
        import imagehash

        approaches["imagehash.dhash(Image.open(p))"] = lambda: [
            imagehash.dhash(Image.open(p)) for p in paths
        ]
    except ImportError:
        print("  imagehash not installed (pip install imagehash): left out")
    if shutil.which("djpeg"):
        approaches["decode floor: djpeg -scale 1/8 -grayscale"] = lambda: decode_floor_djpeg(paths)
    else:
        print("  djpeg not installed (apt-get install libjpeg-turbo-progs): left out")
    best = {name: float("inf") for name in approaches}
    for _ in range(rounds):
        for name, run in approaches.items():
            best[name] = min(best[name], timed(run))
    reconcile_index(paths, cores, db)
    again = timed(lambda: reconcile_index(paths, cores, db, rebuild=False))
    # An import that copied the originals (iPhoto's Masters): every needle is a byte copy.
    copies = tmp / "backup"
    copies.mkdir()
    for path in paths:
        shutil.copy(path, copies / path.name)
    imported = timed(
        lambda: reconcile(haystack=[str(paths[0].parent)], needles=[str(copies)], db=db, jobs=cores)
    )
    shutil.rmtree(tmp)
    rate = {name: len(paths) / seconds for name, seconds in best.items()}
    classic_rate = rate["classic: cv2.imread, cvtColor, resize, dHash"]
    for name in approaches:
        print(f"  {name:<48} {rate[name]:7.1f} images/s  {rate[name] / classic_rate:5.2f}x classic")
    one = rate["reconcile, 1 job (decode+prints+SQLite)"]
    every = rate[f"reconcile, all cores ({cores} jobs)"]
    ceiling = rate[f"decode floor, all cores ({cores} processes)"]
    quick = rate[f"reconcile --quick, all cores ({cores} jobs)"]
    print(f"  all cores vs classic: {every / classic_rate:.2f}x (target >= 5x)")
    print(
        f"  all cores vs the decode floor on all cores: {every / ceiling:.1%}; that floor is "
        f"{ceiling / classic_rate:.2f}x classic"
    )
    print(f"  --quick, all cores vs classic: {quick / classic_rate:.2f}x (target >= 5x)")
    for name in approaches:
        if name.startswith("decode floor:"):
            print(f"  1 job vs {name}: {one / rate[name]:.1%} (target >= 90%)")
    first = best[f"reconcile, all cores ({cores} jobs)"]
    print(
        f"  backup of byte copies of the indexed library: {len(paths) / imported:.1f} images/s "
        f"({len(paths) / imported / classic_rate:.1f}x classic; a digest each, no decode)"
    )
    print(
        f"  second run over the unchanged corpus: {again:.3f} s = {again / first:.1%} of a first"
        " run (target <= 3%)"
    )


def _backup_of(library: list[Path], folder: Path) -> dict[str, int]:
    """A backup of 200 files shaped like a real one, made once: 80 byte copies of library
    photos (a card dump that was imported), 50 re-encoded at the same size (a phone's sync,
    HEIC become JPEG), 20 exported at 2048 px, 10 with a small change (a blink in a burst),
    40 photos the library lacks (made here: the corpus repeats its sources). Returns how many
    of each."""
    from bench.versions import blink

    kinds = {"byte copies": 80, "re-encoded": 50, "exported at 2048 px": 20,
             "small change": 10, "new": 40}  # fmt: skip
    if folder.is_dir() and len(list(folder.iterdir())) == sum(kinds.values()):
        return kinds
    folder.mkdir(parents=True, exist_ok=True)
    picks = iter(library)
    for number in range(kinds["byte copies"]):
        shutil.copy(next(picks), folder / f"copy{number:03d}.jpg")
    for number in range(kinds["re-encoded"]):
        Image.open(next(picks)).save(folder / f"sync{number:03d}.jpg", quality=85)
    for number in range(kinds["exported at 2048 px"]):
        Image.open(next(picks)).resize((2048, 1536)).save(folder / f"export{number:03d}.jpg",
                                                           quality=85)  # fmt: skip
    for number in range(kinds["small change"]):
        rgb = np.asarray(Image.open(next(picks)).convert("RGB"))
        Image.fromarray(blink(rgb, 0.001, number)).save(folder / f"blink{number:03d}.jpg",
                                                          quality=92)  # fmt: skip
    from tests.conftest import scene

    rng = np.random.default_rng(7)
    for number in range(kinds["new"]):  # photos no source of the library's is in
        big = cv2.resize(
            scene(5000 + number, 300, 400), (4000, 3000), interpolation=cv2.INTER_CUBIC
        )
        noisy = np.clip(big + rng.normal(0, 5, big.shape), 0, 255).astype(np.uint8)
        Image.fromarray(noisy).save(folder / f"new{number:03d}.jpg", quality=92)
    return kinds


def fine_look_section(rounds: int) -> None:
    """What the fine look costs a cold run of 600 12 MP photos (a library of 400, a backup of
    200 shaped like a real one, see _backup_of): the whole run with it and without it (no
    pair looked at), fresh index each time, interleaved, best of `rounds`."""
    from dataclasses import replace

    from reconcile.match.verify import DEFAULT as LIMITS

    corpus = build_corpus(CACHE / "camera12mp", 600)
    library = sorted(_linked(corpus[:400], "first400").glob("*.jpg"))
    backup = CACHE / "backup200"
    kinds = _backup_of(library, backup)
    for path in [*library, *backup.iterdir()]:
        path.read_bytes()
    without = replace(LIMITS, fine_from=10**9, look_up_to=0.0)
    tmp = Path(tempfile.mkdtemp())
    best = {"with the fine look": float("inf"), "without": float("inf")}
    statuses: dict[str, dict[str, int]] = {}
    cores = os.cpu_count() or 1
    try:
        for round_ in range(rounds):
            for name, limits in (("with the fine look", LIMITS), ("without", without)):
                db = str(tmp / f"{round_}-{name}.sqlite")
                started = time.perf_counter()
                report = reconcile(haystack=[str(library[0].parent)], needles=[str(backup)],
                                   db=db, limits=limits, jobs=cores)  # fmt: skip
                best[name] = min(best[name], time.perf_counter() - started)
                counts: dict[str, int] = {}
                for item in report.items:
                    counts[item.status.value] = counts.get(item.status.value, 0) + 1
                statuses[name] = counts
    finally:
        shutil.rmtree(tmp)
    made = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    print(f"\nthe fine look, cold run: library of 400 12 MP photos, backup of 200 ({made}),")
    print(f"{cores} cores, best of {rounds} interleaved rounds, a fresh index each time:")
    for name, seconds in best.items():
        seen = ", ".join(f"{status} {n}" for status, n in sorted(statuses[name].items()))
        print(f"  {name:<20} {seconds:6.2f} s  {seen}")
    extra = best["with the fine look"] - best["without"]
    print(f"  the fine look costs {extra:.2f} s = {extra / best['without']:.1%} of the run "
          "(target <= 10 %)")  # fmt: skip
    _look_parts(library, backup, rounds)


def _look_parts(library: list[Path], backup: Path, rounds: int) -> None:
    """What one looked-at pair costs, in one process, against a file's first-pass decode:
    both files decoded again at the look's size, and the comparison. The pairs are the
    backup's re-encoded photos (`sync*.jpg`, made from the library's 81st photo on) and
    their library photos, compared as a look does."""
    from reconcile.match.verify import fine_difference
    from reconcile.media.decode import decode
    from reconcile.media.fingerprint import look_picture

    pairs = [(library[80 + n], backup / f"sync{n:03d}.jpg") for n in range(10)]
    data = [(a.read_bytes(), b.read_bytes()) for a, b in pairs]
    size = 1000  # a 4000 px pair's look: decoded at 1/4 (rules.look_size)
    looks = [tuple(look_picture(decode(d, name="a.jpg", fit=size).rgb, size) for d in pair)
             for pair in data]  # fmt: skip

    def first_pass() -> None:
        for pair in data:
            decode(pair[0], name="a.jpg")

    def look_decodes() -> None:
        for pair in data:
            decode(pair[0], name="a.jpg", fit=size)

    def compare() -> None:
        for a, b in looks:
            fine_difference(a, b, resampled=False)

    parts = {name: min(timed(run) for _ in range(max(rounds, 3))) / len(pairs) * 1000
             for name, run in (("first pass", first_pass), ("look decode", look_decodes),
                               ("compare", compare))}  # fmt: skip
    pair = 2 * parts["look decode"] + parts["compare"]
    print(f"  one looked pair, one process: two decodes at 1/4 of {parts['look decode']:.1f} ms "
          f"and a comparison of {parts['compare']:.1f} ms = {pair:.0f} ms, "
          f"{pair / parts['first pass']:.1f}x a file's first-pass decode "
          f"({parts['first pass']:.1f} ms at 1/8)")  # fmt: skip


def whole_run_section(rounds: int) -> None:
    """A whole run as a user makes it: a library, and a backup that is half imported."""
    from bench.sources import photographs

    sources = len(photographs())
    paths = build_corpus(CACHE / "camera12mp", 2 * sources)
    # The corpus holds each source as shot and mirrored; the library lacks the last five.
    kept = [p for i, p in enumerate(paths) if i % sources < sources - 5]
    new = [p for i, p in enumerate(paths[:sources]) if i >= sources - 5]
    work = Path(tempfile.mkdtemp(dir=CACHE))
    try:
        library, backup = work / "Masters", work / "Backup"
        library.mkdir()
        (backup / "card").mkdir(parents=True)
        (backup / "exports").mkdir()
        (backup / "new").mkdir()
        for path in kept:
            os.link(path, library / path.name)
        for path in kept[:10]:  # the originals, copied as they were
            os.link(path, backup / "card" / path.name)
        for path in kept[10:15]:  # exported at 1600 px, re-compressed
            Image.open(path).resize((1600, 1200)).save(backup / "exports" / path.name, quality=85)
        for path in new:
            os.link(path, backup / "new" / path.name)
        db = str(work / "i.sqlite")
        cores = os.cpu_count() or 1

        def whole(quick: bool) -> None:
            reconcile(haystack=[str(library)], needles=[str(backup)], db=db, jobs=cores,
                      rebuild=True, quick=quick)  # fmt: skip

        runs = {"default": lambda: whole(False), "--quick": lambda: whole(True)}
        best = {name: float("inf") for name in runs}
        for _ in range(rounds):
            for name, run in runs.items():
                best[name] = min(best[name], timed(run))
    finally:
        shutil.rmtree(work)
    print(
        f"\nwhole run: library of {len(kept)}, backup of 20 (10 byte copies of library photos, "
        "5 exports at 1600 px, 5 new photos), all cores:"
    )
    for name, seconds in best.items():
        print(f"  {name:<10} {seconds:6.2f} s")
    print(f"  --quick vs default: {best['default'] / best['--quick']:.2f}x faster")


def search_section(entries: int, queries: int) -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 2**64, entries, dtype=np.uint64)
    # A tenth of the needles are near copies of stored hashes, the rest new pictures.
    asked = rng.integers(0, 2**64, queries, dtype=np.uint64)
    near = rng.choice(entries, queries // 10, replace=False)
    flips = np.zeros(queries // 10, dtype=np.uint64)
    for _ in range(4):
        flips |= np.uint64(1) << rng.integers(0, 64, queries // 10).astype(np.uint64)
    asked[: queries // 10] = codes[near] ^ flips
    started = time.perf_counter()
    index = HammingIndex(codes)
    found = index.search(asked, DEFAULT.radius)
    elapsed = time.perf_counter() - started
    sample = 500
    started = time.perf_counter()
    reference = brute_force(codes, asked[:sample], DEFAULT.radius)
    brute = (time.perf_counter() - started) * queries / sample
    keep = found[0] < sample
    same = set(zip(*(c[keep].tolist() for c in found), strict=True)) == set(
        zip(*(c.tolist() for c in reference), strict=True)
    )
    print(f"\n{queries:,} needle hashes against {entries:,} entries, radius {DEFAULT.radius}:")
    pairs = found[0].size
    print(
        f"  multi-index hashing (build + search): {elapsed:.2f} s, {pairs:,} pairs (target <= 2 s)"
    )
    print(f"  brute force, extrapolated from {sample} queries: {brute:.1f} s")
    print(f"  multi-index hashing vs brute force: {brute / elapsed:.0f}x faster")
    print(f"  equal to brute force on those {sample} queries: {same}")
    # A real needle asks more than once: 8 orientations, its trimmed and 2 cropped views.
    per_needle = 11
    load = rng.integers(0, 2**64, queries * per_needle, dtype=np.uint64)
    started = time.perf_counter()
    index.search(load, DEFAULT.radius)
    heavy = time.perf_counter() - started
    print(
        f"  {queries:,} needles x {per_needle} views ({queries * per_needle:,} queries), "
        f"one hash: {heavy:.2f} s"
    )


def memory_section(files: int) -> None:
    folder = CACHE / f"small{files}"
    if len(list(folder.glob("*/*.jpg"))) < files:
        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(3)
        for number in range(files):
            sub = folder / f"{number // 1000:03d}"
            sub.mkdir(exist_ok=True)
            pixels = rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
            _, data = cv2.imencode(".jpg", cv2.resize(pixels, (64, 48)))
            (sub / f"{number:06d}.jpg").write_bytes(data.tobytes())
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
    peak_mb = (
        "def peak_mb():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) // 1024\n"
    )
    code = peak_mb + (
        "import sys\n"
        "from reconcile import reconcile\n"
        "reconcile(haystack=[sys.argv[1]], needles=[sys.argv[2]], db=sys.argv[3])\n"
        "print(peak_mb())\n"
    )
    baseline = peak_mb + "import reconcile.commands.check\nprint(peak_mb())\n"
    with tempfile.TemporaryDirectory() as tmp:
        needles = Path(tmp) / "needles"
        needles.mkdir()
        shutil.copy(next(folder.glob("*/*.jpg")), needles / "a.jpg")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        started = time.perf_counter()
        command = [sys.executable, "-c", code, str(folder), str(needles), f"{tmp}/i.sqlite"]
        peak = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
        elapsed = time.perf_counter() - started
        idle = subprocess.run(
            [sys.executable, "-c", baseline], capture_output=True, text=True, env=env, check=True
        ).stdout
    print(f"\nindexing {files:,} small files ({elapsed:.0f} s, {files / elapsed:.0f} files/s):")
    print(f"  peak memory (VmHWM) of the main process: {int(peak)} MB (target < 500 MB)")
    print(f"  the same process after imports only: {int(idle)} MB; the run added "
          f"{int(peak) - int(idle)} MB for {files:,} files")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=80, help="12 MP JPEGs to time")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best counts")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--index-files", type=int, default=100_000, help="0 to skip")
    parser.add_argument(
        "--sizes", default="120,400", help="library sizes for the floor section ('' to skip)"
    )
    parser.add_argument(
        "--dask", action="store_true", help="also: a local Dask cluster against the process pool"
    )
    parser.add_argument("--floor-only", action="store_true", help="only the floor section")
    parser.add_argument("--phone-only", action="store_true", help="only the phone library")
    parser.add_argument(
        "--candidates-only", action="store_true", help="only the many-candidates corpus"
    )
    parser.add_argument("--fine-only", action="store_true", help="only the fine look's cost")
    args = parser.parse_args(argv)
    _compiled()
    if args.fine_only:
        fine_look_section(args.rounds)
        return 0
    if args.phone_only:
        phone_section(args.rounds)
        return 0
    if args.candidates_only:
        candidates_section(args.rounds)
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size]
    stages_section(60, args.rounds)
    startup_section(args.rounds)
    if sizes:
        floor_section(sizes, args.rounds)
        warm_section(args.rounds)
    if args.dask:
        from bench.cluster import dask_section

        dask_section(120, args.rounds)
    if args.floor_only:
        return 0
    phone_section(args.rounds)
    candidates_section(args.rounds)
    fine_look_section(args.rounds)
    if args.index_files:
        memory_section(args.index_files)
    speed_section(args.files, args.rounds)
    whole_run_section(args.rounds)
    search_section(args.entries, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())

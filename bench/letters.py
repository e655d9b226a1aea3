"""Award-letter benchmark (`make bench`): not a timed test, a report.

- median milliseconds per letter in one process, next to the floor: WeasyPrint rendering a
  one-line HTML page on the same machine in the same run;
- resident memory over BENCH_LETTERS letters (500) after a warm-up: with one FontConfiguration
  per process (copsgrants/pdf.py) it should not grow beyond a few MB;
- letters per second for a batch of BENCH_LETTERS with two worker processes, next to the floor's.

Rendering only: the letter's context is built once from a real award in a throwaway database.
"""

from __future__ import annotations

import ctypes.util
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_db = Path(tempfile.mkdtemp()) / "bench-letters.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsgrants.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{_db}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from copsgrants.pdf import StaticOnlyURLFetcher, font_configuration, render_pdf  # noqa: E402

LETTERS = int(os.environ.get("BENCH_LETTERS", "500"))
WARM_UP = 20
FLOOR_HTML = "<html><body><p>One line.</p></body></html>"

_context: dict = {}


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def letter_context() -> dict:
    from applications import letters
    from tests.applications.letter_helpers import award_with_letter

    letter = award_with_letter(sro=True)
    day = timezone.localdate()
    code = letters.verification_code(letters.letter_content(letter, day))
    return letters.letter_context(letter, day, code)


def render_letter() -> bytes:
    return render_pdf("pdf/award_letter.html", _context)


def render_floor() -> bytes:
    return HTML(string=FLOOR_HTML, url_fetcher=StaticOnlyURLFetcher()).write_pdf(
        font_config=font_configuration()
    )


def median_ms(render, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        render()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _batch(args: tuple[str, int]) -> int:
    kind, count = args
    render = render_letter if kind == "letter" else render_floor
    for _ in range(count):
        render()
    return count


def per_second_with_two_processes(kind: str, total: int) -> float:
    # fork: the children inherit the context built above (and build their own fonts: pdf.py
    # keys the shared FontConfiguration by pid).
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_batch, [(kind, 2)] * 2)  # warm-up in each process
        start = time.perf_counter()
        done = sum(pool.map(_batch, [(kind, total // 2), (kind, total - total // 2)]))
        return done / (time.perf_counter() - start)


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    _context.update(letter_context())
    subset = ctypes.util.find_library("harfbuzz-subset")
    print(f"libharfbuzz-subset: {subset or 'MISSING (expect ~3x slower letters)'}")
    pages = len(PdfReader(io.BytesIO(render_letter())).pages)

    for _ in range(WARM_UP):
        render_letter()
        render_floor()
    floor_ms = median_ms(render_floor, 50)
    before = rss_mb()
    letter_ms = median_ms(render_letter, LETTERS)
    after = rss_mb()
    print(
        f"one process: {letter_ms:.0f} ms per {pages}-page letter (median of {LETTERS}); "
        f"floor (one-line page) {floor_ms:.0f} ms; ratio {letter_ms / floor_ms:.1f}x"
    )
    print(
        f"memory: {before:.1f} MB after {WARM_UP} letters, {after:.1f} MB after {LETTERS} more "
        f"(growth {after - before:+.1f} MB)"
    )

    letters_per_s = per_second_with_two_processes("letter", LETTERS)
    floor_per_s = per_second_with_two_processes("floor", LETTERS)
    print(
        f"two processes: {letters_per_s:.1f} letters/s for a batch of {LETTERS}; "
        f"floor {floor_per_s:.1f} pages/s; ratio {floor_per_s / letters_per_s:.1f}x"
    )


if __name__ == "__main__":
    main()

"""Award-letter figures for `make bench` (bench/run.py prints them in its table).

- the pipeline (copsgrants.pdf.render_pdf: the Django template, our static-only URL fetcher, the
  process's shared FontConfiguration) next to the floor: raw WeasyPrint
  (`HTML(string=...).write_pdf()`, its defaults) rendering the same HTML, pre-rendered;
- resident memory growth over LETTERS letters after a warm-up;
- letters per second for a batch of LETTERS with two worker processes (multiprocessing, fork,
  each calling render_pdf: the same function the Celery task calls), next to the floor's.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time

from django.db import connections
from django.template.loader import render_to_string
from weasyprint import HTML

from copsgrants.pdf import base_url, render_pdf

TEMPLATE = "pdf/award_letter.html"
WARM_UP = 20

_context: dict = {}
_html: list[str] = []


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def render_letter() -> bytes:
    return render_pdf(TEMPLATE, _context)


def render_raw() -> bytes:
    return HTML(string=_html[0], base_url=base_url()).write_pdf()


def median_ms(render, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        render()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _batch(args: tuple[str, int]) -> int:
    kind, count = args
    render = render_letter if kind == "letter" else render_raw
    for _ in range(count):
        render()
    return count


def per_second_with_two_processes(kind: str, total: int) -> float:
    # fork: the children inherit the context and the HTML (and build their own fonts: pdf.py
    # keys the shared FontConfiguration by pid). No database is used after the fork.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_batch, [(kind, 2)] * 2)  # warm-up in each process
        start = time.perf_counter()
        done = sum(pool.map(_batch, [(kind, total // 2), (kind, total - total // 2)]))
        return done / (time.perf_counter() - start)


def measure(letter, *, count: int) -> dict[str, float]:
    """Figures for rendering `letter` (an AwardLetter with a letter date) `count` times."""
    from applications import letters

    code = letters.verification_code(letters.letter_content(letter, letter.letter_date))
    _context.clear()
    _context.update(letters.letter_context(letter, letter.letter_date, code))
    _html[:] = [render_to_string(TEMPLATE, _context)]
    for _ in range(WARM_UP):
        render_letter()
        render_raw()
    raw_ms = median_ms(render_raw, min(count, 100))
    before = rss_mb()
    letter_ms = median_ms(render_letter, count)
    after = rss_mb()
    return {
        "letter_ms": letter_ms,
        "raw_ms": raw_ms,
        "rss_before_mb": before,
        "rss_growth_mb": after - before,
        "letters_per_s": per_second_with_two_processes("letter", count),
        "raw_per_s": per_second_with_two_processes("raw", count),
    }

"""The pypdf half of the MOU check, run in a child process with a time and memory limit.

Why a child process: pypdf is bounded against some attacks (it stops inflating any stream at
75 MB) but not all. Measured in-process on this project's 2-core machine, a PDF whose catalog
starts a chain of 100,000 objects each pointing to the next took 22-26 s and 250 MB to walk;
arrays and dictionaries alternately nested 20,000 deep took 5 s of pypdf recovering from its own
recursion errors; an object stream inflating to 1.1 GB cost 300 MB of memory before pypdf's cap
stopped it. Tuning caps in our walk cannot bound what pypdf does inside one `get_object`, so the
parse runs here, under RLIMIT_AS (memory) and RLIMIT_CPU, and the parent kills it after a wall
time limit. Whatever the file does, the web worker stays small and answers within the limit;
a file that needs more is "too complex to check", a message the agency can act on.

Protocol: the parent writes the PDF's bytes to stdin; this prints one JSON object on stdout:
{"pages": n} for a readable document, or {"error": code} with code one of "encrypted",
"active_content", "too_complex", "damaged". Imports only the standard library and pypdf (it runs
with `python -I`, outside Django), so it starts in a fraction of a second."""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import resource
import sys

from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

# Hard caps on the object walk, so a hostile file cannot make us loop or exhaust memory.
MAX_OBJECTS = 500_000
MAX_DEPTH = 64
# A signed MOU, even a long scanned one, has hundreds of indirect objects, a 500-page text PDF a
# few tens of thousands. More than this is refused before the walk, whatever the machine's speed
# (the time limit alone would make the outcome depend on it).
MAX_INDIRECT_OBJECTS = 50_000
CONTAINERS = (IndirectObject, DictionaryObject, ArrayObject)
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})


class Rejected(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _is_flate(stream: StreamObject) -> bool:
    filters = stream.get("/Filter")
    if isinstance(filters, ArrayObject):
        return any(str(f) in ("/FlateDecode", "/Fl") for f in filters)
    return str(filters) in ("/FlateDecode", "/Fl")


def has_active_content(reader: PdfReader) -> bool:
    """Walks the trailer and every indirect object the cross-reference tables list, iteratively,
    looking for /JS, /JavaScript or /Launch keys and actions whose /S is one of them. Every Flate
    stream is inflated once (pypdf stops past 75 MB and raises LimitReachedError: a
    decompression bomb is refused, not skipped)."""
    roots: list = [reader.trailer]
    for generation, entries in reader.xref.items():
        roots.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    roots.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    if len(roots) - 1 > MAX_INDIRECT_OBJECTS:
        raise Rejected("too_complex")

    seen: set[tuple[int, int]] = set()
    # Depth counts nesting of direct objects only: an indirect object starts again at 0 (the
    # `seen` set already stops cycles), so a long /Next chain of bookmarks is not "deep".
    stack: list[tuple[object, int]] = [(obj, 0) for obj in roots]
    visited = 0
    while stack:
        obj, depth = stack.pop()
        visited += 1
        if visited > MAX_OBJECTS or depth > MAX_DEPTH:
            raise Rejected("too_complex")
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key not in seen:
                seen.add(key)
                stack.append((reader.get_object(obj), 0))
        elif isinstance(obj, DictionaryObject):
            if isinstance(obj, StreamObject) and _is_flate(obj):
                obj.get_data()  # LimitReachedError past pypdf's inflate cap
            for name, value in obj.items():
                if str(name) in ACTIVE_KEYS:
                    return True
                if str(name) == "/S" and str(value) in ACTIVE_ACTIONS:
                    return True
                if isinstance(value, CONTAINERS):
                    stack.append((value, depth + 1))
        elif isinstance(obj, ArrayObject):
            stack.extend((item, depth + 1) for item in obj if isinstance(item, CONTAINERS))
    return False


OBJECT_HEADER = re.compile(rb"\d+[ \t\r\n]+\d+[ \t\r\n]+obj\b")


def check(data: bytes) -> dict:
    # pypdf takes seconds just to index 100,000 objects; count the headers first (C speed).
    headers = OBJECT_HEADER.finditer(data)
    if next(itertools.islice(headers, MAX_INDIRECT_OBJECTS, None), None) is not None:
        return {"error": "too_complex"}
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return {"error": "encrypted"}
        if has_active_content(reader):
            return {"error": "active_content"}
        return {"pages": len(reader.pages)}
    except Rejected as exc:
        return {"error": exc.code}
    except (LimitReachedError, MemoryError, RecursionError):
        return {"error": "too_complex"}
    except Exception:  # pypdf raises many types on hostile input
        return {"error": "damaged"}


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def main() -> None:
    memory_mb, cpu_seconds = int(sys.argv[1]), int(sys.argv[2])
    logging.disable(logging.WARNING)  # pypdf logs every recovery; hostile files make thousands
    data = sys.stdin.buffer.read()
    limit_resources(memory_mb, cpu_seconds)
    sys.stdout.write(json.dumps(check(data)))


if __name__ == "__main__":
    main()

"""Audits the pinned dependencies (constraints.txt) for known vulnerabilities with pip-audit,
only when a vulnerability service can actually answer; otherwise says so and reports no result.

pip-audit's default service asks PyPI for each pinned release, `GET <pypi>/<name>/<version>/json`,
and reads its "vulnerabilities" list; the alternative asks OSV (`POST <osv>` with the package and
version). Where neither answers, pip-audit does not fail: it lists every package as "could not
be audited" and still prints "No known vulnerabilities found". So this script first probes the
exact request pip-audit would make, for the first pin in constraints.txt, within 5 seconds:

- PyPI answers that release with a "vulnerabilities" list: run `pip-audit -s pypi`;
- else OSV answers the query with JSON: run `pip-audit -s osv`;
- else print "pip-audit: SKIPPED - vulnerability service unreachable from this machine (no
  result)" and exit 0: nothing was audited, and nothing claims it was.

pip-audit runs with --strict (a package it could not audit fails the run rather than passing
unaudited), --disable-pip --no-deps (constraints.txt already pins the whole environment) and
exits non-zero on any finding.

Environment (for tests and mirrors): AUDIT_PYPI_URL (default https://pypi.org/pypi),
AUDIT_OSV_URL (default https://api.osv.dev/v1/query), AUDIT_TIMEOUT seconds (default 5).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = "pip-audit: SKIPPED - vulnerability service unreachable from this machine (no result)"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def first_pin(requirements: Path) -> tuple[str, str]:
    for line in requirements.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            return match.group(1), match.group(2)
    raise SystemExit(f"{requirements} pins no package (name==version)")


def _fetch_json(request: urllib.request.Request, timeout: float) -> object | None:
    # B310 warns that urlopen also opens file:// and custom schemes; we refuse anything but
    # http(s) just above, so the nosec below is a checked false positive.
    if urllib.parse.urlsplit(request.full_url).scheme not in ("http", "https"):
        return None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
            if response.status != 200:
                return None
            return json.loads(response.read(5_000_000))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def pypi_answers(base: str, name: str, version: str, timeout: float) -> bool:
    url = f"{base.rstrip('/')}/{name}/{version}/json"
    data = _fetch_json(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout)
    return isinstance(data, dict) and isinstance(data.get("vulnerabilities"), list)


def osv_answers(url: str, name: str, version: str, timeout: float) -> bool:
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    request = urllib.request.Request(
        url,
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    return isinstance(_fetch_json(request, timeout), dict)


def choose_service(requirements: Path) -> str | None:
    """ "pypi", "osv" or None: the first service that answers pip-audit's own question."""
    name, version = first_pin(requirements)
    timeout = float(os.environ.get("AUDIT_TIMEOUT", "5"))
    pypi = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi")
    osv = os.environ.get("AUDIT_OSV_URL", "https://api.osv.dev/v1/query")
    if pypi_answers(pypi, name, version, timeout):
        return "pypi"
    if osv_answers(osv, name, version, timeout):
        return "osv"
    return None


def main(argv: list[str]) -> int:
    requirements = Path(argv[1]) if len(argv) > 1 else ROOT / "constraints.txt"
    service = choose_service(requirements)
    if service is None:
        print(SKIPPED)
        return 0
    pip_audit = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or "pip-audit"
    command = [
        pip_audit,
        "--requirement",
        str(requirements),
        "--vulnerability-service",
        service,
        "--strict",
        "--disable-pip",
        "--no-deps",
        "--progress-spinner",
        "off",
    ]
    print(f"pip-audit: auditing {requirements.name} against the {service} service")
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))

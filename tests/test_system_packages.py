"""Every system file or program the project uses comes from a package scripts/setup.sh installs.

The source of app/, recognizers/, scripts/ and tests/ is scanned for absolute system paths
(``"/usr/share/..."``), programs (``shutil.which("x")``, ``subprocess.run(["x", ...])``) and
Debian font packages named in it (``"fonts-..."``). Each is traced to its Debian package with
``dpkg -S`` and must be in setup.sh's RUN_APT or TEST_APT list (then it must be installed,
since `make test` ran setup.sh first), in its LEFT_OUT list (deliberately not installed:
what uses it does without and says so), in PREREQS (what the README's commands need before
setup.sh runs: make, python3), or be an Essential package (coreutils, bash, ...). A new dependency on a system file then fails here,
in CI, rather than on a user's fresh machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SETUP = REPO / "scripts" / "setup.sh"
SCANNED = ("app", "recognizers", "scripts", "tests")

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None,
                                reason="not a Debian-based system: scripts/setup.sh installs with apt-get")

# absolute paths into the system's data, in string literals
PATH_RE = re.compile(r"""["'](/(?:usr|etc|opt)/[^"'\s{}]+)["']""")
PROGRAM_RES = [
    re.compile(r"""\bwhich\(\s*["']([\w.+-]+)["']"""),
    re.compile(r"""(?:\.run|\.Popen|\.call|\.check_call|\.check_output|Popen)\(\s*\[\s*["']([\w.+-]+)["']"""),
    re.compile(r"""\bcmd\s*=\s*\[\s*["']([\w.+-]+)["']"""),
]
FONT_PACKAGE_RE = re.compile(r"""["'](fonts-[a-z0-9][a-z0-9.+-]*)["']""")
# folders that many packages share, or that no package owns: the files under them are what counts
GENERIC_DIRS = {"/usr/share/fonts", "/usr/local/share/fonts", "/usr/share", "/usr/lib", "/usr/bin", "/etc", "/opt"}
# programs that are not installed here: their package, for the message and the LEFT_OUT check
# (dpkg -S only knows the files of installed packages)
KNOWN_PROGRAM_PACKAGES = {
    "pico2wave": "libttspico-utils",
    "paplay": "pulseaudio-utils",
    "pactl": "pulseaudio-utils",
    "pulseaudio": "pulseaudio",
    "xdotool": "xdotool",
    "wtype": "wtype",
    "ydotool": "ydotool",
}


def setup_lists(text: str) -> dict[str, list[str]]:
    """The package arrays of setup.sh: ``NAME=( pkg pkg  # comment ... )``."""
    out: dict[str, list[str]] = {}
    for m in re.finditer(r"^([A-Z_]+)=\(\s*$(.*?)^\)", text, re.M | re.S):
        words = []
        for line in m.group(2).splitlines():
            words += line.split("#", 1)[0].split()
        out[m.group(1)] = words
    return out


@lru_cache(maxsize=None)
def lists() -> dict[str, list[str]]:
    found = setup_lists(SETUP.read_text())
    for name in ("PREREQS", "RUN_APT", "TEST_APT", "LEFT_OUT"):
        assert name in found, f"scripts/setup.sh has no {name}=( ... ) list"
    return found


@lru_cache(maxsize=None)
def essential(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Essential}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == "yes"


def installed(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


@lru_cache(maxsize=None)
def owners(path: str) -> frozenset[str]:
    """Debian packages that ship `path` (following symlinks and alternatives), or none."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):  # merged /usr: a package may list /bin/x for /usr/bin/x
        if p.startswith("/usr/bin/") or p.startswith("/usr/sbin/"):
            candidates.append(p[4:])
    pkgs: set[str] = set()
    for p in dict.fromkeys(candidates):
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            if line.startswith("diversion by"):
                continue
            head = line.rsplit(": ", 1)[0]
            pkgs |= {x.strip().split(":")[0] for x in head.split(",")}
    return frozenset(pkgs)


def scan() -> dict[str, dict[str, list[str]]]:
    """{"paths"|"programs"|"fonts": {name: ["file:line", ...]}} over the project's source."""
    found: dict[str, dict[str, list[str]]] = {"paths": {}, "programs": {}, "fonts": {}}
    me = Path(__file__).resolve()
    for top in SCANNED:
        for f in sorted((REPO / top).rglob("*.py")):
            if f.resolve() == me:
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            for kind, regexes in (("paths", [PATH_RE]), ("programs", PROGRAM_RES), ("fonts", [FONT_PACKAGE_RE])):
                for rx in regexes:
                    for m in rx.finditer(text):  # calls may span lines
                        where = f"{f.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
                        name = m.group(1).rstrip("/") if kind == "paths" else m.group(1)
                        found[kind].setdefault(name, []).append(where)
    return found


def check(kind: str, name: str, pkgs: set[str] | frozenset[str], where: list[str]) -> str | None:
    """A problem, or None when one of `pkgs` is in setup.sh's lists."""
    listed = set(lists()["RUN_APT"]) | set(lists()["TEST_APT"]) | set(lists()["PREREQS"])
    left_out = set(lists()["LEFT_OUT"])
    used = f"{kind} {name} (used at {', '.join(where[:3])})"
    if not pkgs:
        return f"{used}: no installed Debian package provides it; add its package to scripts/setup.sh"
    if pkgs & (listed | left_out) or any(essential(p) for p in pkgs):
        return None
    return f"{used} comes from {'/'.join(sorted(pkgs))}, which is not in scripts/setup.sh's RUN_APT, TEST_APT or LEFT_OUT"


def test_setup_lists_parse_and_do_not_overlap():
    L = lists()
    assert "libportaudio2" in L["RUN_APT"] and "espeak-ng" in L["TEST_APT"]
    both = (set(L["RUN_APT"]) | set(L["TEST_APT"])) & set(L["LEFT_OUT"])
    assert not both, f"listed both as installed and as left out: {sorted(both)}"


def test_scan_finds_the_known_uses():
    """The scan itself works: it sees uses we know of (else the other tests prove nothing)."""
    found = scan()
    assert "/usr/share/dict/words" in found["paths"]
    assert "/usr/share/wordnet" in found["paths"]
    assert "espeak-ng" in found["programs"] and "flite" in found["programs"]
    assert "Xvfb" in found["programs"]
    assert "fonts-kaushanscript" in found["fonts"]


def test_listed_packages_are_installed():
    """setup.sh ran before the tests (`make test`): what it lists is there."""
    wanted = lists()["RUN_APT"] + lists()["TEST_APT"]
    missing = [p for p in wanted if not installed(p)]
    assert not missing, f"not installed: {' '.join(missing)}; run scripts/setup.sh (or `make test`)"


def test_every_system_path_comes_from_a_listed_package():
    problems = []
    for path, where in scan()["paths"].items():
        if path in GENERIC_DIRS or path.startswith("/usr/local/"):
            continue
        if not os.path.exists(path):
            problems.append(f"{path} (used at {', '.join(where[:3])}) does not exist here, so no installed "
                            "package provides it; add its package to scripts/setup.sh, or to LEFT_OUT if the "
                            "code does without it")
            continue
        problems.append(check("path", path, owners(path), where))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_every_program_comes_from_a_listed_package():
    problems = []
    left_out = set(lists()["LEFT_OUT"])
    for prog, where in scan()["programs"].items():
        exe = shutil.which(prog)
        if exe is None:
            pkg = KNOWN_PROGRAM_PACKAGES.get(prog)
            if pkg is None or pkg not in left_out:
                problems.append(f"program {prog} (used at {', '.join(where[:3])}) is not installed"
                                + (f"; its package {pkg} is not in LEFT_OUT" if pkg else "")
                                + ": add its package to scripts/setup.sh")
            continue
        pkgs = owners(exe)
        if not pkgs and exe.startswith(str(REPO)):
            continue  # the venv's own programs (python, pip)
        problems.append(check("program", prog, pkgs, where))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_font_packages_named_in_the_code_are_listed():
    L = lists()
    listed = set(L["RUN_APT"]) | set(L["TEST_APT"]) | set(L["LEFT_OUT"])
    missing = {pkg: where for pkg, where in scan()["fonts"].items() if pkg not in listed}
    assert not missing, "font packages the code uses but scripts/setup.sh does not list: " + \
        "; ".join(f"{p} (at {', '.join(w[:3])})" for p, w in missing.items())


def test_check_reports_a_missing_package():
    """The rule fails where it should: a path from an unlisted package is reported."""
    assert check("path", "/x", frozenset({"no-such-package"}), ["a.py:1"]) is not None
    assert check("path", "/x", frozenset(), ["a.py:1"]) is not None
    assert check("path", "/x", frozenset({"wamerican"}), ["a.py:1"]) is None
    assert check("program", "ls", frozenset({"coreutils"}), ["a.py:1"]) is None  # Essential
    assert setup_lists("A=(\n  x y  # z w\n  v\n)\n") == {"A": ["x", "y", "v"]}

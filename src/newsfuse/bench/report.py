"""Markdown for the bench: tables, number formats, the machine block, and BENCHMARKS.md assembly.

Pure formatting: the figures come from `runner`. Each section is wrapped in HTML comment markers
so that a partial run (`newsfuse bench --only speed`) replaces its own sections in an existing
BENCHMARKS.md and leaves the others as they were.
"""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("newsfuse", "trafilatura", "scikit-learn", "datasketch", "rouge-score", "sumy",
            "numpy", "scipy", "lxml")
_SECTION_RE = re.compile(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->\n?", re.S)
_HEADER_END = "<!-- /bench:header -->"


@dataclass(frozen=True, slots=True)
class Target:
    """One stated goal and whether this run met it (None: could not be judged)."""

    goal: str
    met: bool | None
    got: str


@dataclass(slots=True)
class SectionReport:
    """One section of BENCHMARKS.md: its tables, targets, and the paragraph on where we lose."""

    key: str
    title: str
    intro: str = ""
    blocks: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    analysis: str = ""
    seconds: float = 0.0
    todo: str | None = None

    def add_table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                  note: str = "") -> None:
        """Append a captioned markdown table (and an optional note under it)."""
        block = f"**{caption}**\n\n{table(headers, rows)}" if caption else table(headers, rows)
        self.blocks.append(block + (f"\n\n{note}" if note else ""))

    def markdown(self, stamp: str) -> str:
        """The section as markdown, between its merge markers."""
        parts = [f"## {self.title}", f"_{stamp}; section took {self.seconds:.0f} s._"]
        if self.intro:
            parts.append(self.intro)
        if self.todo:
            parts.append(f"> **TODO — this section could not run:** {self.todo}")
        parts.extend(self.blocks)
        if self.targets:
            parts.append("**Targets**\n\n" + table(
                ("target", "this run", "status"),
                [(t.goal, t.got, status(t.met)) for t in self.targets]))
        if self.analysis:
            parts.append("**Where we lose, and why.** " + self.analysis)
        body = "\n\n".join(parts)
        return f"<!-- bench:{self.key} -->\n{body}\n<!-- /bench:{self.key} -->\n"


def status(met: bool | None) -> str:
    """A target's status word."""
    return "n/a" if met is None else ("**met**" if met else "**not met**")


def num(value: float | None, digits: int = 3) -> str:
    """A figure for a table; NaN and None show as an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def pm(value: float, std: float | None, digits: int = 3) -> str:
    """value ± std when a bootstrap std is known."""
    return num(value, digits) if std is None else f"{num(value, digits)} ± {num(std, digits)}"


def pct(value: float | None, digits: int = 1) -> str:
    """A share as a percentage."""
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def secs(value: float | None) -> str:
    """Seconds, with sensible precision."""
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; numbers right-aligned, text left."""
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    def numeric(v: object) -> bool:
        return bool(re.fullmatch(r"[-+]?[\d.,]+(?: ± [\d.]+)?%?|—", str(v)))

    align = []
    for i in range(len(headers)):
        column = [r[i] for r in rows if i < len(r)]
        align.append("---:" if column and all(numeric(v) for v in column) else ":---")
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


# --- machine and versions ------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    """Cores, RAM, CPU model, Python and package versions, date and source revision."""
    info = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": str(os.cpu_count() or "?"), "ram": "?", "cpu": platform.processor() or "?",
            "python": platform.python_version(), "platform": platform.platform(terse=True)}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        info["ram"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError, ValueError):
        pass
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if match:
            info["cpu"] = match.group(1).strip()
    except OSError:
        pass
    for name in PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    info["revision"] = _revision()
    return info


def _revision() -> str:
    root = Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        # The reports the bench and the reliability run write are outputs, not source: a report
        # rewritten by an earlier run does not make the measured code "uncommitted".
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no",
                                "--", ".", ":!BENCHMARKS.md", ":!RELIABILITY.md"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def shown_args(args: Sequence[str], dropped: Sequence[str] = ()) -> list[str]:
    """A command line as a report shows it, naming no folder of the machine it ran on: paths given
    to --out and --eval-dir by their file name only, options in `dropped` left out with their value."""
    shown: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        option, has_value, value = arg.partition("=")
        if option in dropped:
            if not has_value and rest:
                rest.pop(0)
        elif option in ("--out", "--eval-dir"):
            if not has_value and rest:
                value = rest.pop(0)
                shown += [option, Path(value).name]
            else:
                shown.append(f"{option}={Path(value).name}")
        else:
            shown.append(arg)
    return shown


def header(info: dict[str, str], *, quick: bool, sections: Sequence[str], command: str,
           every: Sequence[str] = (), last_full_run: str | None = None) -> str:
    """The top of BENCHMARKS.md: what was run, where, with what; for a partial run, the last run
    of every section that the document's other sections come from, when known."""
    versions = ", ".join(f"{name} {info[name]}" for name in PACKAGES)
    slice_note = ("\n\n> **Quick run:** a small slice of each set for CI smoke; these figures are "
                  "not comparable with the full run." if quick else "")
    return (
        "<!-- bench:header -->\n"
        "# newsfuse benchmarks\n\n"
        f"Generated by `{command}` (source: `src/newsfuse/bench/runner.py`); do not edit by hand — "
        "re-run it. Peers are scored by the same code in the same run as newsfuse. "
        + ("Every figure below was measured in this run." if set(sections) >= set(every)
           else "This run re-measured the sections listed below; every other section keeps the figures of "
                "the run stamped on it, and the summary gathers the targets of all sections as they stand.")
        + "\n\n"
        + table(("", ""), [
            ("date", info["date"]),
            ("machine", f"{info['cpu']}; {info['cores']} cores; {info['ram']} RAM; {info['platform']}"),
            ("python", info["python"]),
            ("packages", versions),
            ("source revision", info["revision"]),
            ("sections in this run", ", ".join(sections)),
            *([("last run of every section", last_full_run)] if last_full_run else []),
        ])
        + slice_note + "\n" + _HEADER_END + "\n"
    )


_HEADER_ROW_RE = re.compile(r"^\| ([^|]+?) \| (.*?) \|$", re.M)


def last_full_run(existing: str, every: Sequence[str]) -> str | None:
    """From an existing BENCHMARKS.md: its own run when that ran every section, else the last
    full run it names, as "date, revision, command"."""
    head = existing.split(_HEADER_END, 1)[0]
    rows = dict(_HEADER_ROW_RE.findall(head))
    if "last run of every section" in rows:
        return rows["last run of every section"]
    if {s.strip() for s in rows.get("sections in this run", "").split(",")} >= set(every) and "date" in rows:
        command = re.search(r"Generated by `([^`]+)`", head)
        return (f"{rows['date']}, revision {rows.get('source revision', 'unknown')}"
                + (f", `{command.group(1)}`" if command else ""))
    return None


def assemble(head: str, sections: Sequence[SectionReport], stamp: str,
             existing: str | None = None) -> str:
    """BENCHMARKS.md text: the header, then sections; kept sections of `existing` stay in order."""
    fresh = {s.key: s.markdown(stamp) for s in sections}
    kept: list[tuple[str, str]] = []
    if existing:
        kept = [(m.group(1), m.group(0)) for m in _SECTION_RE.finditer(existing) if m.group(1) != "header"]
    order = [k for k, _ in kept] + [k for k in fresh if k not in dict(kept)]
    old = dict(kept)
    body = "\n".join(fresh.get(k, old.get(k, "")).rstrip("\n") + "\n" for k in order)
    return head + "\n" + body


_TITLE_RE = re.compile(r"^## (.+)$", re.M)
_TARGET_ROW_RE = re.compile(r"^\| (.+?) \| (.+?) \| (\*\*met\*\*|\*\*not met\*\*|n/a) \|$", re.M)


def summary_of_document(text: str) -> tuple[str, int, int]:
    """The summary table rebuilt from every section's Targets table in a BENCHMARKS.md text, and
    how many targets are met of how many judged: a partial run keeps the summary true to the
    sections as they stand."""
    rows, met, judged = [], 0, 0
    for match in _SECTION_RE.finditer(text):
        if match.group(1) in ("header", "summary"):
            continue
        block = match.group(0)
        title = _TITLE_RE.search(block)
        targets = block.split("**Targets**", 1)
        if not title or len(targets) < 2:
            continue
        for goal, got, state in _TARGET_ROW_RE.findall(targets[1].split("**Where we lose", 1)[0]):
            if goal == "target":
                continue
            rows.append((title.group(1), goal, got, state))
            judged += state != "n/a"
            met += state == "**met**"
    return (table(("section", "target", "this run", "status"), rows) if rows else ""), met, judged


def summary_table(sections: Sequence[SectionReport]) -> str:
    """Every target of the run in one table, for the top of the printout."""
    rows = [(s.title, t.goal, t.got, status(t.met)) for s in sections for t in s.targets]
    return table(("section", "target", "this run", "status"), rows) if rows else ""

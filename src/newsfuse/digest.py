"""The daily loop: what changed since a date — new and updated stories, new conflicts, new pledges.

Rules:
- The store keeps only the latest stories, so history is kept here, in a table of its own
  (`digest_story_versions`, created IF NOT EXISTS in the store file, or the store's PostgreSQL
  database): each time the search
  index syncs, every story record not seen before is recorded with the store's stamp (the end
  of the latest finished run). Changes are therefore dated by the run that made them, provided
  a sync follows every run; runs between two syncs share the later stamp.
- A story id is a hash of its pages, so a story that gained a page comes back under a new id.
  A story first seen after `since` that shares a page with one seen before is *updated*, with
  that older story as its previous version; otherwise it is *new*.
- New conflicts and pledges are those of a changed story that its previous version (as of
  `since`) did not hold; every conflict and pledge of a new story is new.
- Dates compare as ISO 8601 text: `2020-06-11` means from the start of that day (UTC).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS digest_story_versions ("
    " story_id TEXT NOT NULL, record_sha TEXT NOT NULL, seen TEXT NOT NULL, record TEXT NOT NULL,"
    " PRIMARY KEY (story_id, record_sha))",
    "CREATE INDEX IF NOT EXISTS digest_story_versions_by_seen ON digest_story_versions(seen)",
)
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, slots=True)
class StoryChange:
    """One story that is new or changed since the date, with what it newly holds."""

    story_id: str
    title: str
    status: str  # "new" or "updated"
    seen: str
    documents: tuple[str, ...]
    previous: str | None
    added_documents: tuple[str, ...]
    new_conflicts: tuple[dict[str, Any], ...]
    new_pledges: tuple[dict[str, Any], ...]
    brief: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON API."""
        return {"story": self.story_id, "title": self.title, "status": self.status, "seen": self.seen,
                "documents": list(self.documents), "previous": self.previous,
                "added_documents": list(self.added_documents), "new_conflicts": list(self.new_conflicts),
                "new_pledges": list(self.new_pledges), "brief": list(self.brief)}


@dataclass(frozen=True, slots=True)
class Digest:
    """Every change since a date, newest first."""

    since: str
    changes: tuple[StoryChange, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON API."""
        return {"since": self.since, "new": sum(c.status == "new" for c in self.changes),
                "updated": sum(c.status == "updated" for c in self.changes),
                "new_conflicts": sum(len(c.new_conflicts) for c in self.changes),
                "new_pledges": sum(len(c.new_pledges) for c in self.changes),
                "changes": [c.as_dict() for c in self.changes]}


class StoryVersions:
    """The history of story versions the digest compares against, in one store file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        for statement in SCHEMA:
            db.execute(statement)
        self._db = db
        self._known = set(db.execute("SELECT story_id, record_sha FROM digest_story_versions").fetchall())

    def record(self, story_id: str, sha: str, story: Mapping[str, Any], stamp: str) -> bool:
        """Record this version of a story with `stamp` unless it was seen before; True when new."""
        if (story_id, sha) in self._known:
            return False
        self._db.execute("INSERT INTO digest_story_versions (story_id, record_sha, seen, record)"
                         " VALUES (?, ?, ?, ?)", (story_id, sha, stamp, json.dumps(story, sort_keys=True)))
        self._known.add((story_id, sha))
        return True


def _conflict_key(conflict: Mapping[str, Any]) -> str:
    return json.dumps(sorted(s.get("text") or "" for s in conflict.get("sides") or []))


def _pledge_key(pledge: Mapping[str, Any]) -> str:
    return json.dumps([pledge.get("actor"), pledge.get("text")])


def changes_since(db: sqlite3.Connection, since: str) -> Digest:
    """New and updated stories since `since` among the stories the store holds now."""
    from .search import story_from_store

    current = {sid: story_from_store(json.loads(rec))
               for sid, rec in db.execute("SELECT id, record FROM stories WHERE state = 'live'")}
    versions: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    try:
        rows = db.execute("SELECT story_id, seen, record FROM digest_story_versions ORDER BY seen").fetchall()
    except sqlite3.OperationalError:  # never synced: no history to compare with
        rows = []
    for sid, seen, rec in rows:
        versions.setdefault(sid, []).append((seen, json.loads(rec)))
    # The latest version of every story as it stood before `since`, by each of its pages.
    before: dict[str, tuple[str, dict[str, Any]]] = {}
    for sid, history in versions.items():
        older = [(seen, rec) for seen, rec in history if seen < since]
        if older:
            before[sid] = older[-1]
    by_page: dict[str, list[str]] = {}
    for sid, (_, rec) in before.items():
        for doc in rec["documents"]:
            by_page.setdefault(doc, []).append(sid)
    changes = []
    for sid, story in current.items():
        history = versions.get(sid) or []
        latest_seen = history[-1][0] if history else None
        if latest_seen is None or latest_seen < since:
            continue
        previous_id = sid if sid in before else None
        if previous_id is None:
            # The newest older story sharing a page: the one this story grew from.
            candidates = {o for d in story["documents"] for o in by_page.get(d, [])}
            if candidates:
                previous_id = max(candidates, key=lambda o: (before[o][0], o))
        previous = before[previous_id][1] if previous_id else {}
        old_documents = set(previous.get("documents") or [])
        old_conflicts = {_conflict_key(c) for c in previous.get("conflicts") or []}
        old_pledges = {_pledge_key(p) for p in previous.get("pledges") or []}
        changes.append(StoryChange(
            story_id=sid, title=story["title"], status="updated" if previous_id else "new", seen=latest_seen,
            documents=tuple(story["documents"]), previous=previous_id,
            added_documents=tuple(d for d in story["documents"] if d not in old_documents),
            new_conflicts=tuple(c for c in story.get("conflicts") or []
                                if _conflict_key(c) not in old_conflicts),
            new_pledges=tuple(p for p in story.get("pledges") or [] if _pledge_key(p) not in old_pledges),
            brief=tuple(s["text"] for s in story.get("brief") or [])))
    changes.sort(key=lambda c: (c.seen, c.story_id), reverse=True)
    return Digest(since=since, changes=tuple(changes))


def digest(db_path: str | Path, since: str) -> Digest:
    """Sync the store's search index and story history, then report the changes since `since`
    (`db_path`: a SQLite store's path or a PostgreSQL store's URL)."""
    from .search import open_search_index

    with open_search_index(db_path) as index:
        index.sync()
        return index.changes(since)


def render_digest_markdown(result: Digest) -> str:
    """The digest as Markdown: a line per change, then its new conflicts and pledges."""
    summary = result.as_dict()
    lines = [f"# newsfuse digest since {result.since}", "",
             f"{summary['new']} new stories, {summary['updated']} updated, "
             f"{summary['new_conflicts']} new conflicts, {summary['new_pledges']} new pledges.", ""]
    for change in result.changes:
        grew = f", {len(change.added_documents)} new pages" if change.status == "updated" else ""
        lines.append(f"## {change.status.upper()}: {_md(change.title)}")
        lines += ["", f"Story `{change.story_id}`, {len(change.documents)} pages{grew}, "
                  f"seen {change.seen}.", ""]
        lines += [f"- {_md(text)}" for text in change.brief[:3]]
        for conflict in change.new_conflicts:
            sides = " | ".join(_md(s.get("text") or "") for s in conflict.get("sides") or [])
            lines.append(f"- New conflict ({_md(conflict.get('kind') or 'disagreement')}): {sides}")
        for pledge in change.new_pledges:
            due = f" (due {pledge['due']})" if pledge.get("due") else ""
            actor = _md(pledge.get("actor") or "unnamed")
            lines.append(f"- New pledge by {actor}: {_md(pledge.get('text') or '')}{due}")
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    # Scraped text shown literally, never as Markdown or HTML.
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|" else ch for ch in text)


def atom_feed(result: Digest, base_url: str) -> str:
    """The changes as an Atom feed; entry links point at the web app's story pages under base_url."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    ElementTree.SubElement(feed, f"{{{ATOM}}}title").text = f"newsfuse: story changes since {result.since}"
    ElementTree.SubElement(feed, f"{{{ATOM}}}id").text = f"{base_url.rstrip('/')}/feed.atom"
    updated = result.changes[0].seen if result.changes else _atom_time(result.since)
    ElementTree.SubElement(feed, f"{{{ATOM}}}updated").text = _atom_time(updated)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", href=f"{base_url.rstrip('/')}/feed.atom", rel="self")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    ElementTree.SubElement(author, f"{{{ATOM}}}name").text = "newsfuse"
    for change in result.changes:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        link = f"{base_url.rstrip('/')}/stories/{change.story_id}"
        ElementTree.SubElement(entry, f"{{{ATOM}}}id").text = f"{link}#{change.seen}"
        ElementTree.SubElement(entry, f"{{{ATOM}}}title").text = f"{change.status}: {change.title}"
        ElementTree.SubElement(entry, f"{{{ATOM}}}updated").text = _atom_time(change.seen)
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", href=link)
        extra = [f"New conflict: {' | '.join(s.get('text') or '' for s in c.get('sides') or [])}"
                 for c in change.new_conflicts]
        extra += [f"New pledge: {p.get('actor') or 'unnamed'}: {p.get('text') or ''}"
                  for p in change.new_pledges]
        # Plain text content: the XML writer escapes it, so no scraped markup reaches a reader.
        ElementTree.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = "\n".join(
            [*change.brief[:3], *extra])
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"


def _atom_time(value: str) -> str:
    # Atom wants a full RFC 3339 time; a bare date means its first second (UTC).
    return value if "T" in value else f"{value[:10]}T00:00:00+00:00"

"""stories.md: the run as a document a person reads top to bottom."""

from __future__ import annotations

import io
from typing import Any, TextIO

from ..analyze.outlets import group_outlets
from .records import RunRecords

# The Markdown is a digest; stories.json holds every quote.
MAX_QUOTES_SHOWN = 8


def _cite(citations: list[dict[str, Any]], numbering: dict[str, int]) -> str:
    docs = sorted({c["document"] for c in citations}, key=lambda d: numbering.get(d, 0))
    return "".join(f"[{numbering[d]}]" for d in docs if d in numbering)


def _escape(text: str | None) -> str:
    # Scraped text may carry Markdown or HTML; shown as literal text, never as markup.
    if not text:
        return ""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|" else ch for ch in text)


def _published(doc: dict[str, Any]) -> str:
    if not doc["published"]:
        return f"updated {doc['updated']}" if doc.get("updated") else "?"
    inferred = doc.get("evidence", {}).get("published", {}).get("inferred")
    return f"{doc['published']} (inferred)" if inferred else doc["published"]


def render_markdown(records: RunRecords) -> str:
    """The stories of a run with their briefs, sources and syndication, in Markdown."""
    text = io.StringIO()
    write_markdown(records, text)
    return text.getvalue()


def write_markdown(records: RunRecords, fh: TextIO) -> None:
    """render_markdown's text written a story at a time."""
    summary = records.summary
    rejected = ", ".join(f"{k} {v}" for k, v in summary["rejected"].items()) or "none"
    lines = ["# newsfuse stories", "",
             f"{summary['pages_read']} pages read, {summary['cleaned'] + summary['reused']} articles, "
             f"rejected: {rejected}; {summary['duplicates']} duplicates, "
             f"{summary['syndicated_groups']} syndicated groups, {summary['stories']} stories.", ""]
    fh.write("\n".join(lines))
    synd_of = records.syndication_by_document()
    for story in records.stories():
        fh.write("\n" + "\n".join(_story_lines(story, records, synd_of)))
    bad = list(records.rejected())
    if bad:
        lines = ["## Rejected documents", ""]
        lines += [f"- `{_escape(d['source'])}`: {_escape(d['error'])}" for d in bad]
        lines.append("")
        fh.write("\n" + "\n".join(lines))


def _story_lines(story: dict[str, Any], records: RunRecords, synd_of: dict[str, dict[str, Any]]) -> list[str]:
    numbering = {d: i + 1 for i, d in enumerate(story["documents"])}
    lines = [f"## {_escape(story['title'])}", "",
             f"{len(story['documents'])} pages, {story.get('origins', len(story['documents']))} "
             f"independent origins. Story `{story['id']}`.", ""]
    for sentence in story["brief"]:
        lines.append(f"- {_escape(sentence['text'])} {_cite(sentence['citations'], numbering)}")
    quoted = story.get("quotes", [])
    if quoted:
        lines += ["", "Quotes:", ""]
        for quote in quoted[:MAX_QUOTES_SHOWN]:
            who = quote["speaker"] or quote["speaker_role"] or "unnamed source"
            drift = f" ({len(quote['variants'])} wordings)" if len(quote["variants"]) > 1 else ""
            carried = [c for v in quote["variants"] for c in v["citations"]]
            marks = _cite(carried, numbering)
            lines.append(f"- “{_escape(quote['text'])}” — {_escape(who)}{drift} {marks}")
    if story.get("continues"):
        lines += ["", f"Continues story `{story['continues']}`."]
    lines += conflicts_lines(story.get("conflicts", []), numbering)
    lines += facts_lines(story.get("facts", []), numbering)
    lines += pledges_lines(story.get("pledges", []), numbering)
    lines += timeline_lines(story.get("timeline", []), numbering)
    lines += entities_lines(story.get("entities", []))
    lines += coverage_lines(story.get("coverage", []), numbering)
    lines += edits_lines(story.get("republication_edits", []), numbering)
    lines += ["", "| # | outlet | title | published | agency | syndication |",
              "|---|---|---|---|---|---|"]
    for doc_id, number in numbering.items():
        doc = records.document(doc_id) or {"id": doc_id, "published": None}
        synd = synd_of.get(doc_id)
        note = ""
        if synd:
            is_origin = synd["origin_document"] == doc_id
            note = f"origin ({synd['origin']})" if is_origin else f"copy of {synd['origin']}"
            if doc_id in synd["miscredited"]:
                note += f"; credited to {doc.get('agency')}"
        lines.append(f"| {number} | {_escape(doc.get('outlet')) or '?'} | {_escape(doc.get('title')) or '?'}"
                     f" | {_published(doc)} | {doc.get('agency') or ''} | {_escape(note)} |")
    lines.append("")
    return lines


# --- analysis sections ---------------------------------------------------------------------------
# Each takes a story's records as stories.json holds them and the story's page numbering; an
# empty section renders nothing. The Markdown is a digest: stories.json holds every item.

MAX_FACTS_SHOWN = 12
MAX_EVENTS_SHOWN = 20
MAX_EDITS_SHOWN = 12
MAX_ENTITIES_SHOWN = 25
UNIQUE_FACTS_SHOWN = 2
_PRECISION_RANK = {"year": 0, "season": 1, "quarter": 1, "month": 2, "week": 3, "day": 4}


def facts_lines(items: list[dict[str, Any]], numbering: dict[str, int],
                limit: int = MAX_FACTS_SHOWN) -> list[str]:
    """Facts: text, modality, primary source, independent origins, page marks."""
    if not items:
        return []
    lines = ["", "Facts:", ""]
    for item in items[:limit]:
        notes = [item["modality"]] if item["modality"] != "reported" else []
        notes.append(f"{item['evidence']}: {item['attributed_to']}")
        notes.append("single source" if item["single_source"] else f"{item['origins']} origins")
        lines.append(f"- {_escape(item['text'])} ({_escape('; '.join(notes))}) "
                     f"{_cite(item['citations'], numbering)}")
    if len(items) > limit:
        lines.append(f"- … {len(items) - limit} more in stories.json")
    return lines


def conflicts_lines(items: list[dict[str, Any]], numbering: dict[str, int]) -> list[str]:
    """Where sources differ, both sides cited; only contradictions are flagged as such."""
    if not items:
        return []
    lines = ["", "Where sources differ:", ""]
    for item in items:
        label = "**Contradiction**" if item["kind"] == "contradiction" else item["kind"].capitalize()
        sides = " vs ".join(f"“{_escape(side['text'])}” {_cite(side['citations'], numbering)}"
                            for side in item["sides"])
        lines.append(f"- {label} ({_escape(item['about'])}): {sides}")
    return lines


def pledges_lines(items: list[dict[str, Any]], numbering: dict[str, int]) -> list[str]:
    """Pledges: actor, what is pledged, when it is due, page marks."""
    if not items:
        return []
    lines = ["", "Pledges:", ""]
    for item in items:
        due = f" (due: {_escape(item['due'])})" if item["due"] else ""
        lines.append(f"- {_escape(item['actor'])}: {_escape(item['text'])}{due} "
                     f"{_cite(item['citations'], numbering)}")
    return lines


def timeline_lines(events: list[dict[str, Any]], numbering: dict[str, int]) -> list[str]:
    """The timeline: date, sentence, page marks, and what a resolved date was resolved against."""
    if not events:
        return []
    # The digest keeps the events most pages state (finer dates first on ties), in date order.
    ranked = sorted(range(len(events)), key=lambda i: (-len({c["document"] for c in events[i]["citations"]}),
                                                       -_PRECISION_RANK.get(events[i]["precision"], 0), i))
    lines = ["", "Timeline:", ""]
    for event in [events[i] for i in sorted(ranked[:MAX_EVENTS_SHOWN])]:
        mark = f" ({event['modality']})" if event["modality"] else ""
        note = ""
        if event["resolved_against"]:
            ref = event["resolved_against"]
            page = f" [{numbering[ref['document']]}]" if ref["document"] in numbering else ""
            note = f" _(“{_escape(event['expression'])}” resolved against {ref['date']}{page})_"
        lines.append(f"- **{event['date']}**{mark} — {_escape(event['text'])} "
                     f"{_cite(event['citations'], numbering)}{note}")
    if len(events) > MAX_EVENTS_SHOWN:
        lines.append(f"- … {len(events) - MAX_EVENTS_SHOWN} more in stories.json")
    return lines


def entities_lines(found: list[dict[str, Any]], limit: int = MAX_ENTITIES_SHOWN) -> list[str]:
    """Entities: name, type and roles, the other spellings the pages use, how many pages."""
    if not found:
        return []
    lines = ["", "Entities:", ""]
    for entity in found[:limit]:
        roles = "; ".join(dict.fromkeys(r["text"] for r in entity.get("roles", ())))
        others = [v["text"] for v in entity["variants"] if v["text"] != entity["name"]]
        described = entity["type"] + ("; " + _escape(roles) if roles else "")
        parts = [f"- **{_escape(entity['name'])}** ({described})"]
        if others:
            parts.append("also: " + ", ".join(map(_escape, others)))
        parts.append(f"{len(entity['pages'])} page{'s' if len(entity['pages']) != 1 else ''}")
        lines.append(" — ".join(parts))
    if len(found) > limit:
        lines.append(f"- … and {len(found) - limit} more")
    return lines


def coverage_lines(items: list[dict[str, Any]], numbering: dict[str, int],
                   examples: int = UNIQUE_FACTS_SHOWN) -> list[str]:
    """The coverage matrix (statements per facet, wire share, facts only this page states), examples."""
    if not items:
        return []
    header = sorted({facet for item in items for facet in item["facets"]})
    lines = ["", "Coverage:", "", "| # | outlet | " + " | ".join(header) + " | wire copy | only here |",
             "|---|---|" + "---|" * len(header) + "---|---|"]
    for item in items:
        cells = [str(item["facets"][f]["statements"]) if f in item["facets"] else "" for f in header]
        lines.append(f"| {numbering.get(item['document'], '?')} | {_escape(item['outlet'])} | "
                     + " | ".join(cells) + f" | {item['wire_share']:.0%} | {len(item['unique_facts'])} |")
    groups = group_outlets(item["outlet"] for item in items)
    lines += ["", "Outlets by ownership: " + "; ".join(f"{key}: {', '.join(map(_escape, names))}"
                                                    for key, names in groups.items())]
    shown = [fact for item in items for fact in item["unique_facts"][:examples]]
    if shown:
        lines += ["", "Only on one page:", ""]
        for fact in shown:
            note = f" ({fact['modality']})" if fact["modality"] != "reported" else ""
            lines.append(f"- {_escape(fact['text'])}{note} {_cite(fact['citations'], numbering)}")
    return lines


def edits_lines(records: list[dict[str, Any]], numbering: dict[str, int]) -> list[str]:
    """Per syndicated copy: changed words (quote changes first), dropped and added sentences."""
    lines: list[str] = []
    for record in records:
        if record["origin"] not in numbering or record["copy"] not in numbering:
            continue
        copy, origin = numbering[record["copy"]], numbering[record["origin"]]
        lines += ["", f"Republication edits: [{copy}] against its origin [{origin}] "
                      f"({record['quote_changes']} inside quotation marks):", ""]
        words = [ch for pair in record["changed"] for ch in pair["changes"]]
        # Quote changes first, then rewordings, cut and added sentences; respellings last.
        items = [(0 if ch["quoted"] else 2 if ch["kind"] == "respelled" else 1,
                  "changed under quote marks" if ch["quoted"] else "changed", _change(ch)) for ch in words]
        items += [(1, "dropped", f"“{_escape(d['text'])}”") for d in record["dropped"]]
        items += [(1, "added", f"“{_escape(a['text'])}”") for a in record["added"]]
        items.sort(key=lambda item: item[0])
        lines += [f"- {kind}: {text}" for _, kind, text in items[:MAX_EDITS_SHOWN]]
        if len(items) > MAX_EDITS_SHOWN:
            lines.append(f"- … {len(items) - MAX_EDITS_SHOWN} more in stories.json")
    return lines


def _change(change: dict[str, Any]) -> str:
    if change["origin"] and change["copy"]:
        return f"“{_escape(change['origin']['text'])}” → “{_escape(change['copy']['text'])}”"
    if change["copy"]:
        return f"inserted “{_escape(change['copy']['text'])}”"
    return f"removed “{_escape(change['origin']['text'])}”"

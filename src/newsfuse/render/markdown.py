"""stories.md: the run as a document a person reads top to bottom."""

from __future__ import annotations

from typing import Any

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


def render_markdown(record: dict[str, Any]) -> str:
    """The stories of a run with their briefs, sources and syndication, in Markdown."""
    documents = {d["id"]: d for d in record["documents"]}
    summary = record["summary"]
    lines = ["# newsfuse stories", ""]
    rejected = ", ".join(f"{k} {v}" for k, v in summary["rejected"].items()) or "none"
    lines += [f"{summary['pages_read']} pages read, {summary['cleaned'] + summary['reused']} articles, "
              f"rejected: {rejected}; {summary['duplicates']} duplicates, "
              f"{summary['syndicated_groups']} syndicated groups, {summary['stories']} stories.", ""]
    synd_of = {d: s for s in record["syndication"] for d in s["documents"]}
    for story in record["stories"]:
        numbering = {d: i + 1 for i, d in enumerate(story["documents"])}
        lines += [f"## {_escape(story['title'])}", "",
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
        lines += ["", "| # | outlet | title | published | agency | syndication |",
                  "|---|---|---|---|---|---|"]
        for doc_id, number in numbering.items():
            doc = documents[doc_id]
            synd = synd_of.get(doc_id)
            note = ""
            if synd:
                is_origin = synd["origin_document"] == doc_id
                note = f"origin ({synd['origin']})" if is_origin else f"copy of {synd['origin']}"
                if doc_id in synd["miscredited"]:
                    note += f"; credited to {doc['agency']}"
            lines.append(f"| {number} | {_escape(doc['outlet']) or '?'} | {_escape(doc['title']) or '?'}"
                         f" | {_published(doc)} | {doc['agency'] or ''} | {_escape(note)} |")
        lines.append("")
    bad = [d for d in record["documents"] if d["status"] == "rejected"]
    if bad:
        lines += ["## Rejected documents", ""]
        lines += [f"- `{_escape(d['source'])}`: {_escape(d['error'])}" for d in bad]
        lines.append("")
    return "\n".join(lines)

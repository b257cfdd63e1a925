"""The command line: a thin skin over the library; library errors become messages here, once."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from . import __version__
from .analyze.brief import BriefSettings
from .analyze.entities import load_aliases
from .api import DEFAULT_DB_NAME, index_store
from .errors import NewsfuseError
from .incremental import AddReport
from .incremental import add as add_pages
from .incremental import watch as watch_folder
from .pipeline import Settings
from .pipeline import run as run_local
from .render.files import write_outputs
from .store.base import is_postgres_url, open_store, redacted

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="newsfuse: raw news pages in; clean, deduplicated, cited stories out.")
err = Console(stderr=True, soft_wrap=True)


class Engine(StrEnum):
    """Where a run's stages execute."""

    local = "local"
    dask = "dask"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsfuse {__version__}")
        raise typer.Exit()


AliasesOption = Annotated[Path | None, typer.Option(
    help="Name variants that override the entity rules: a JSON object {variant: canonical} or a CSV "
         "of variant,canonical lines.")]


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """newsfuse: raw news pages in; clean, deduplicated, cited stories out."""


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or - for stdin: "
                                                ".txt, .html/.htm(.gz), .jsonl, .warc(.gz).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for stories.json, stories.md, "
                                      "documents.jsonl, stories.jsonl.")] = Path("out"),
    db: Annotated[str | None, typer.Option(help=f"Store path or postgresql:// URL "
                                           f"(default: OUT/{DEFAULT_DB_NAME}).")] = None,
    brief_words: Annotated[int, typer.Option(min=20, help="Longest brief, in words.")] = 150,
    brief_sentences: Annotated[int, typer.Option(min=1, help="Most sentences in a brief.")] = 6,
    aliases: AliasesOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    engine: Annotated[Engine, typer.Option(help="local: this process; dask: tasks on a Dask cluster.")]
    = Engine.local,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address for --engine dask "
                                                  "(default: start a local 2-worker cluster).")] = None,
) -> None:
    """Read pages, clean them, find duplicates and stories, and write cited briefs."""
    settings = _settings(brief_words, brief_sentences, aliases)
    if scheduler and engine is not Engine.dask:
        err.print("[red]error:[/red] --scheduler needs --engine dask")
        raise typer.Exit(2)
    if engine is Engine.dask:
        from .engines.dask import run as run_dask  # lazy: the local engine never needs dask

        run_pipeline = partial(run_dask, scheduler=scheduler)
    else:
        run_pipeline = run_local
    try:
        store = open_store(db or out / DEFAULT_DB_NAME)
        try:
            with _progress(progress) as bar:
                task = bar.add_task("reading pages", total=None)
                result = run_pipeline(inputs, store, settings=settings,
                                      stdin=sys.stdin.buffer if "-" in inputs else None,
                                      on_page=lambda: bar.advance(task), skip=[str(out)])
        finally:
            store.close()
        index_store(db or out / DEFAULT_DB_NAME)
        paths = write_outputs(result, out)
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _print_summary(result.summary.as_dict(), paths["stories.json"])


def _settings(brief_words: int, brief_sentences: int, aliases: Path | None) -> Settings:
    try:
        names = load_aliases(aliases) if aliases is not None else None
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] aliases file {aliases}: {exc}")
        raise typer.Exit(2) from exc
    return Settings(brief=BriefSettings(max_sentences=brief_sentences, max_words=brief_words), aliases=names)


def _progress(enabled: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True,
                    disable=not (enabled and err.is_terminal))


def _print_summary(summary: dict, stories_path: Path) -> None:
    rejected = ", ".join(f"{reason} {n}" for reason, n in summary["rejected"].items()) or "none"
    err.print(
        f"pages read {summary['pages_read']} · cleaned {summary['cleaned']} · reused from store "
        f"{summary['reused']} · rejected {sum(summary['rejected'].values())} ({rejected}) · "
        f"repeated inputs {summary['repeated_inputs']} · duplicates {summary['duplicates']} · "
        f"syndicated groups {summary['syndicated_groups']} · stories {summary['stories']}",
        highlight=False)
    err.print(f"wrote {stories_path}", highlight=False)


@app.command()
def add(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or - for stdin, "
                                                "as for run.")],
    db: Annotated[str, typer.Option(help="The store to add to (created when missing).")]
        = f"out/{DEFAULT_DB_NAME}",
    brief_words: Annotated[int, typer.Option(min=20, help="Longest brief, in words.")] = 150,
    brief_sentences: Annotated[int, typer.Option(min=1, help="Most sentences in a brief.")] = 6,
    aliases: AliasesOption = None,
) -> None:
    """Add pages to a store: they join its stories or start new ones, and story ids are kept.
    Prints each story event (created, updated, merged, split) as one JSON line."""
    settings = _settings(brief_words, brief_sentences, aliases)
    try:
        store = open_store(db)
        try:
            report = add_pages(inputs, store, settings=settings,
                               stdin=sys.stdin.buffer if "-" in inputs else None)
        finally:
            store.close()
        index_store(db)
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for event in report.events:
        typer.echo(json.dumps(event, sort_keys=True))
    _print_add_summary(report)


@app.command()
def watch(
    directory: Annotated[Path, typer.Argument(help="Folder to watch; files are added as they land.",
                                              exists=True, file_okay=False)],
    db: Annotated[str, typer.Option(help="The store to add to (created when missing).")]
        = f"out/{DEFAULT_DB_NAME}",
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between looks at the folder.")] = 2.0,
    batches: Annotated[int, typer.Option(min=0, help="Stop after this many batches (0: never).")] = 0,
) -> None:
    """Watch a folder and add each new file once it stops changing; prints events as JSON lines."""
    try:
        store = open_store(db)
        try:
            for count, report in enumerate(watch_folder(directory, store, interval=interval), 1):
                for event in report.events:
                    typer.echo(json.dumps(event, sort_keys=True))
                _print_add_summary(report)
                index_store(db)
                if batches and count >= batches:
                    break
        finally:
            store.close()
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        err.print("stopped", highlight=False)


def _print_add_summary(report: AddReport) -> None:
    summary = report.summary.as_dict()
    err.print(f"pages read {summary['pages_read']} · cleaned {summary['cleaned']} · reused from store "
              f"{summary['reused']} · rejected {sum(summary['rejected'].values())} · events "
              f"{len(report.events)} · stories touched {len(report.touched)} · live stories "
              f"{summary['stories']} · statistics version {report.stats_version}", highlight=False)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="A small slice of every set (CI smoke, < 1 min).")] = False,
    only: Annotated[list[str] | None, typer.Option(help="Run only this section (repeatable): extraction, "
                                                   "stories, similarity, briefs, syndication, citations, "
                                                   "speed, quotes, timeml, events, verify, scale.")] = None,
    eval_dir: Annotated[Path | None, typer.Option(help="Eval data folder (default: ../shared/eval "
                                                  "or $NEWSFUSE_EVAL_DIR).")] = None,
    out: Annotated[Path | None, typer.Option(help="Markdown file to write (default: BENCHMARKS.md; "
                                             "with --quick, nothing unless given).")] = None,
    sizes: Annotated[str | None, typer.Option(help="Speed corpus sizes, e.g. 1000,10000,100000.")] = None,
    scale_sizes: Annotated[str | None, typer.Option(help="Store sizes of the scale section (default: the "
                                                    "speed sizes up to 10000).")] = None,
) -> None:
    """Measure newsfuse beside its peers on the public eval sets; print and write the tables."""
    from .bench.report import shown_args
    from .bench.runner import run_bench  # lazy: `newsfuse run` never imports the bench extras

    try:
        shown = "newsfuse " + " ".join(shown_args(sys.argv[1:]))
        result = run_bench(only, quick=quick, eval_dir=eval_dir, command=shown,
                           out=out if out is not None or quick else Path("BENCHMARKS.md"),
                           sizes=[int(s) for s in sizes.split(",")] if sizes else None,
                           scale_sizes=[int(s) for s in scale_sizes.split(",")] if scale_sizes else None)
    except (NewsfuseError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(result.markdown)
    err.print(f"bench took {result.seconds:.0f} s" + (f"; wrote {result.out}" if result.out else ""),
              highlight=False)


@app.command()
def serve(
    db: Annotated[str, typer.Option(help="Store to serve: a path or a postgresql:// URL.")
                  ] = str(Path("out") / DEFAULT_DB_NAME),
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless --allow-remote).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    allow_remote: Annotated[bool, typer.Option("--allow-remote",
                                               help="Allow a host other than loopback.")] = False,
) -> None:
    """Serve the stories read-only: list, search, story and document pages, Atom feed, JSON API."""
    from .web import is_loopback
    from .web import serve as run_server

    if not _store_exists(db):
        err.print(f"[red]error:[/red] no store at {db} (run `newsfuse run` first or pass --db)")
        raise typer.Exit(2)
    if not is_loopback(host):
        if not allow_remote:
            err.print(f"[red]error:[/red] {host} is not a loopback address; pass --allow-remote to serve "
                      "the stories to other machines")
            raise typer.Exit(2)
        err.print(f"[yellow]warning:[/yellow] serving on {host}: anyone who can reach this machine can read "
                  "every stored page (no authentication)", highlight=False)
    err.print(f"serving {redacted(db)} at http://{host}:{port}/ (API schema: /api/openapi.json)",
              highlight=False)
    run_server(db, host=host, port=port, allow_remote=allow_remote)


@app.command()
def digest(
    since: Annotated[str, typer.Option(help="Report changes from this date on (YYYY-MM-DD or ISO time).")],
    db: Annotated[str, typer.Option(help="Store to read: a path or a postgresql:// URL.")
                  ] = str(Path("out") / DEFAULT_DB_NAME),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown.")] = False,
) -> None:
    """New and updated stories, new conflicts and new pledges since a date."""
    import json

    from .digest import digest as make_digest
    from .digest import render_digest_markdown

    if not _store_exists(db):
        err.print(f"[red]error:[/red] no store at {db} (run `newsfuse run` first or pass --db)")
        raise typer.Exit(2)
    result = make_digest(db, since)
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) if as_json
               else render_digest_markdown(result))


# --- verify ---------------------------------------------------------------------------------

_MARKS = {"supported": ("[green]supported[/green]", "supported"),
          "conflicting": ("[red]conflicting[/red]", "conflicting"),
          "misattributed": ("[red]misattributed[/red]", "misattributed"),
          "no_evidence": ("[yellow]no evidence[/yellow]", "no evidence")}


@app.command()
def verify(
    text: Annotated[str | None, typer.Argument(help="The text to check; - reads stdin.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the text from this file.")] = None,
    db: Annotated[str, typer.Option(help="The store a run wrote: a path or a postgresql:// URL.")
                  ] = str(Path("out") / DEFAULT_DB_NAME),
    as_json: Annotated[bool, typer.Option("--json", help="Print the claims as JSON.")] = False,
) -> None:
    """Check any text against the stored sources: each sentence supported, conflicting or unsupported."""
    import json

    from rich.markup import escape

    from .api import verify as verify_text

    if file is not None:
        claimed = file.read_text(encoding="utf-8")
    elif text is None or text == "-":
        claimed = sys.stdin.read()
    else:
        claimed = text
    if not _store_exists(db):
        err.print(f"[red]error:[/red] no store at {db}; run `newsfuse run INPUT --out DIR` first "
                  "or give --db", highlight=False)
        raise typer.Exit(2)
    try:
        result = verify_text(db, claimed)
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    out = Console(soft_wrap=True, highlight=False)
    for claim in result["claims"]:
        mark, _ = _MARKS[claim["verdict"]]
        out.print(f"{mark}: {escape(claim['text'])}")
        for entry in claim["support"][:2]:
            out.print(f"    + {escape(_where(entry))} {escape(entry['text'])}")
        for entry in claim["conflicts"][:3]:
            note = f" ({entry['note']})" if entry.get("note") else ""
            out.print(f"    ! {entry['kind']}: {escape(_where(entry))} {escape(entry['text'] + note)}")
    counts = ", ".join(f"{_MARKS[v][1]} {n}" for v, n in result["counts"].items())
    err.print(f"{len(result['claims'])} claims: {counts}", highlight=False)


def _where(entry: dict) -> str:
    """Where an entry stands: its story's title, page and offsets in the clean body."""
    cite = entry["citations"][0]
    story = f"{entry['story']['title']} · " if entry.get("story") else ""
    return f"[{story}{cite['document']} {cite['start']}-{cite['end']}]"


@app.command()
def ledger(
    db: Annotated[str, typer.Option(help="The store to read: a path or a postgresql:// URL.")
                  ] = str(Path("out") / DEFAULT_DB_NAME),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown.")] = False,
) -> None:
    """Per thread of stories and per actor: each pledge, made, reaffirmed, fulfilled or broken, cited."""
    from .api import ledger as thread_ledgers
    from .ledger import render_ledgers

    if not _store_exists(db):
        err.print(f"[red]error:[/red] no store at {db} (run `newsfuse run` first or pass --db)",
                  highlight=False)
        raise typer.Exit(2)
    try:
        found = thread_ledgers(db)
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    if not found:
        err.print("no threads yet: a ledger follows the pledges of a story into the follow-up stories "
                  "that continue it (the pledges of each story are in its stories.json record)",
                  highlight=False)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    store = open_store(db)
    try:
        titles = {root: (store.story(root) or {}).get("record", {}).get("title", "") for root in found}
    finally:
        store.close()
    typer.echo(render_ledgers(found, titles))


def _store_exists(db: str) -> bool:
    """Whether a store is there to read: a PostgreSQL URL is tried when opened."""
    return is_postgres_url(db) or Path(db).is_file()


def main() -> None:
    """Entry point of the `newsfuse` command."""
    app()


if __name__ == "__main__":
    main()

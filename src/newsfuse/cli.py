"""The command line: a thin skin over the library; library errors become messages here, once."""

from __future__ import annotations

import json
import sys
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
from .api import DEFAULT_DB_NAME, open_store
from .errors import NewsfuseError
from .incremental import AddReport
from .incremental import add as add_pages
from .incremental import watch as watch_folder
from .pipeline import Settings
from .pipeline import run as run_pipeline
from .render.files import write_outputs

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="newsfuse: raw news pages in; clean, deduplicated, cited stories out.")
err = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsfuse {__version__}")
        raise typer.Exit()


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
    db: Annotated[str | None, typer.Option(help=f"Store path (default: OUT/{DEFAULT_DB_NAME}).")] = None,
    brief_words: Annotated[int, typer.Option(min=20, help="Longest brief, in words.")] = 150,
    brief_sentences: Annotated[int, typer.Option(min=1, help="Most sentences in a brief.")] = 6,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Read pages, clean them, find duplicates and stories, and write cited briefs."""
    settings = Settings(brief=BriefSettings(max_sentences=brief_sentences, max_words=brief_words))
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
        paths = write_outputs(result, out)
    except NewsfuseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _print_summary(result.summary.as_dict(), paths["stories.json"])


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
) -> None:
    """Add pages to a store: they join its stories or start new ones, and story ids are kept.
    Prints each story event (created, updated, merged, split) as one JSON line."""
    settings = Settings(brief=BriefSettings(max_sentences=brief_sentences, max_words=brief_words))
    try:
        store = open_store(db)
        try:
            report = add_pages(inputs, store, settings=settings,
                               stdin=sys.stdin.buffer if "-" in inputs else None)
        finally:
            store.close()
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
                                                   "stories, similarity, briefs, citations, speed.")] = None,
    eval_dir: Annotated[Path | None, typer.Option(help="Eval data folder (default: ../shared/eval "
                                                  "or $NEWSFUSE_EVAL_DIR).")] = None,
    out: Annotated[Path | None, typer.Option(help="Markdown file to write (default: BENCHMARKS.md; "
                                             "with --quick, nothing unless given).")] = None,
    sizes: Annotated[str | None, typer.Option(help="Speed corpus sizes, e.g. 1000,10000,100000.")] = None,
) -> None:
    """Measure newsfuse beside its peers on the public eval sets; print and write the tables."""
    from .bench.runner import run_bench  # lazy: `newsfuse run` never imports the bench extras

    try:
        result = run_bench(only, quick=quick, eval_dir=eval_dir, command="newsfuse " + " ".join(sys.argv[1:]),
                           out=out if out is not None or quick else Path("BENCHMARKS.md"),
                           sizes=[int(s) for s in sizes.split(",")] if sizes else None)
    except (NewsfuseError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(result.markdown)
    err.print(f"bench took {result.seconds:.0f} s" + (f"; wrote {result.out}" if result.out else ""),
              highlight=False)


def main() -> None:
    """Entry point of the `newsfuse` command."""
    app()


if __name__ == "__main__":
    main()

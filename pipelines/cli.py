"""`evidence-review`: the one command that fronts every stage."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from classifiers.registry import Decision

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL, EXIT_BUSY = 0, 2, 3, 4


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text}") from None


@contextmanager
def _progress_bar(region: Path, enabled: bool, *written: Path | None) -> Iterator[None]:
    """Bars for files and schools done, on stderr; the flow reports through a hook.
    `written`: the output and cache folders (see `school_folders`)."""
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from pipelines import review
    from pipelines.school import school_files

    folders = review.school_folders(region, *written)
    n_files = sum(len(school_files(f)) for f in folders)
    bar = Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    tasks = {
        "file": bar.add_task("files", total=n_files),
        "school": bar.add_task("schools", total=len(folders)),
    }
    review.set_progress(lambda kind, n: bar.advance(tasks[kind], n))
    try:
        with bar:
            yield
    finally:
        review.set_progress(None)


def _settings_ok(path: Path | None) -> bool:
    """Whether the rubric settings load; if not, says why on one line. Checked before the
    run starts: each school loads them, and a bad file failed every school in turn."""
    from expert_sheet.settings import SettingsError, load_settings

    try:
        load_settings(path)
    except SettingsError as exc:
        print(f"evidence-review: settings: {exc}", file=sys.stderr)
        return False
    return True


def _writable_folders(*folders: Path | None) -> bool:
    """Whether the output (and cache) folders can be written or made, nothing made yet; if
    not, says why on one line, before anything starts (before s20: a traceback)."""
    for folder in folders:
        if folder is None:
            continue
        nearest = folder.absolute()
        while not nearest.exists() and nearest != nearest.parent:
            nearest = nearest.parent
        if not nearest.is_dir():
            problem = f"{nearest} is a file, not a folder"
        elif not os.access(nearest, os.W_OK | os.X_OK):
            problem = f"{nearest} cannot be written"
        else:
            continue
        print(f"evidence-review: cannot write the folder {folder}: {problem}", file=sys.stderr)
        return False
    return True


def cmd_review(args: argparse.Namespace) -> int:
    from pipelines.prefect_env import use_defaults

    if not _settings_ok(args.settings) or not _writable_folders(Path(args.out), args.cache_dir):
        return EXIT_USAGE
    use_defaults()  # before Prefect is imported
    if not args.dask_address:
        # First of all: the workers' fork server imports the libraries and loads the models
        # (3-4 s of one core) while this process imports Prefect and starts its temporary
        # API server, instead of after them, in front of the first school.
        from pipelines.pool import start_workers_early

        start_workers_early(args.workers)
    from pipelines.output_lock import OutputBusy, output_lock

    try:
        # Held from the unpacking of ZIPs into OUT/_input to the run's record.
        with output_lock(Path(args.out)):
            return _review_held(args)
    except OutputBusy as exc:
        print(f"evidence-review: {exc}", file=sys.stderr)
        return EXIT_BUSY


def _review_held(args: argparse.Namespace) -> int:
    from extractors.archive import prepare_input
    from pipelines.review import RegionError, Unreachable, run_review, school_folders

    # A region given as a ZIP, or schools that uploaded ZIPs, become plain folders first.
    region, archive_errors = prepare_input(Path(args.dir), Path(args.out) / "_input")
    for error in archive_errors:
        print(f"evidence-review: {error.file}: {error.reason}", file=sys.stderr)
    try:
        school_folders(region, Path(args.out), args.cache_dir)
    except RegionError as exc:
        print(f"evidence-review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.dask_address:
        try:
            import prefect_dask  # noqa: F401
        except ImportError:
            print(
                "evidence-review: --dask-address needs prefect-dask "
                "(pip install 'evidence-review[dask]')",
                file=sys.stderr,
            )
            return EXIT_USAGE
    show_bar = not args.json and not args.no_progress and sys.stderr.isatty()
    try:
        with _progress_bar(region, show_bar, Path(args.out), args.cache_dir):
            summary = run_review(
                region,
                Path(args.out),
                args.report_date,
                args.settings,
                args.cache_dir,
                dask_address=args.dask_address,
                workers=args.workers,
            )
    except Unreachable as exc:
        print(f"evidence-review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    run_id = _record_run(args, region)
    if args.json:
        _print_json(summary.model_dump(mode="json") | {"run_id": run_id})
    else:
        print(f"reviewed {summary.schools} schools; sheets and summary in {args.out}")
        if run_id:
            print(f"run {run_id} recorded in the review database")
        for row in summary.rows:
            print(f"  {row.folder}: K1={row.k1} total={row.total}  {row.comment}")
    if summary.outside_schools:
        print(
            f"note: {len(summary.outside_schools)} file(s) in the export's top folder are in "
            f"no school's folder and were not reviewed (summary.json, outside_schools): "
            f"{', '.join(summary.outside_schools)}",
            file=sys.stderr,
        )
    if summary.incomplete:
        print(
            f"partial: {len(summary.incomplete)} school(s) have files left unread because "
            f"a tool is missing on this machine (tesseract, LibreOffice; see the sheets' "
            f"setup_problems): {', '.join(summary.incomplete)}. Install them "
            f"(scripts/install-system-deps.sh) and run again: those files are read then.",
            file=sys.stderr,
        )
    if summary.failed:
        print(
            f"partial: {len(summary.failed)} school(s) failed: {', '.join(summary.failed)}",
            file=sys.stderr,
        )
    return EXIT_PARTIAL if summary.failed or summary.incomplete else EXIT_OK


def _record_run(args: argparse.Namespace, region: Path) -> str | None:
    """The run and its drafts into the review database; a database that cannot be reached
    costs the run its record, not its sheets."""
    from review_db.db import open_engine
    from review_db.runs import record_run

    try:
        engine = open_engine(args.db, Path(args.out))
        return record_run(engine, region, Path(args.out), args.report_date, args.settings)
    except Exception as exc:
        print(f"evidence-review: run not recorded in the review database: {exc}", file=sys.stderr)
        return None


def _review_engine(db: str | None, out: str | None, sheets: list[str] | None = None) -> Any:
    """--db, else EVIDENCE_REVIEW_DB, else the review output folder's review.sqlite, else the
    one beside the first sheet (OUT/<school>/sheet.xlsx -> OUT/review.sqlite). None, with
    the reason on stderr, when nothing says where the database is."""
    from review_db.db import DB_FILE, ENV_VAR, NoDatabase, open_engine

    out_dir = Path(out) if out else None
    if out_dir is None and not db and not os.environ.get(ENV_VAR) and sheets:
        beside = Path(sheets[0]).resolve().parent.parent / DB_FILE
        out_dir = beside.parent if beside.is_file() else None
    try:
        return open_engine(db, out_dir)
    except NoDatabase as exc:
        print(f"evidence-review: {exc}", file=sys.stderr)
        return None


def cmd_import_corrections(args: argparse.Namespace) -> int:
    from review_db.corrections import import_sheets

    engine = _review_engine(args.db, args.out, args.sheets)
    if engine is None:
        return EXIT_USAGE
    results = import_sheets(engine, [Path(p) for p in args.sheets], args.expert, args.run)
    if args.json:
        _print_json([r.__dict__ | {"rejections": [str(x) for x in r.rejections]} for r in results])
    for r in results:
        if not args.json:
            stored = f"{r.stored} correction(s) stored" if r.stored else "signed off, no edits"
            what = {"stored": stored, "unchanged": "nothing new"}
            print(f"{r.file}: {what.get(r.status, 'rejected')}")
        for rejection in r.rejections:
            print(f"rejected: {rejection}", file=sys.stderr)
    return EXIT_PARTIAL if any(r.status == "rejected" for r in results) else EXIT_OK


def cmd_agreement(args: argparse.Namespace) -> int:
    from review_db.agreement import agreement, format_agreement

    engine = _review_engine(args.db, args.out)
    if engine is None:
        return EXIT_USAGE
    result = agreement(engine, args.region)
    _print_json(result) if args.json else print(format_agreement(result))
    return EXIT_OK


def cmd_export_labels(args: argparse.Namespace) -> int:
    from review_db.labels import LABELLED, export_labels

    engine = _review_engine(args.db, args.out_dir)
    if engine is None:
        return EXIT_USAGE
    report = export_labels(engine, Path(args.out), args.labelled or LABELLED, args.region)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(
            f"doctypes: {report.doctypes_train} training records "
            f"({report.doctypes_from_corrections} from corrections, "
            f"{report.doctypes_replaced} generated ones replaced); matching: "
            f"{report.matching_cases} schools ({report.matching_from_corrections} from "
            f"corrections) -> {args.out}"
        )
        for line in report.skipped:
            print(f"skipped: {line}", file=sys.stderr)
    return EXIT_OK


def cmd_promote(args: argparse.Namespace) -> int:
    from classifiers.registry import promote_if_not_worse

    decision = promote_if_not_worse(
        args.models, args.name, args.data, force=args.force, note=args.note
    )
    if args.json:
        _print_json(decision.__dict__)
    else:
        print(_decision_line(decision))
    return EXIT_OK if decision.promoted or decision.current == decision.candidate else 1


def _decision_line(decision: Decision) -> str:
    state = "promoted" if decision.promoted else "not promoted"
    return f"{decision.candidate}: {state} ({decision.reason})"


def cmd_extract(args: argparse.Namespace) -> int:
    from extractors.extract import extract

    docs = [extract(Path(p)) for p in args.files]
    if args.json:
        _print_json([d.model_dump(mode="json") for d in docs])
    else:
        for d in docs:
            state = "; ".join(e.reason for e in d.errors) or "ok"
            print(
                f"{d.path}: {d.format}, {d.n_pages} pages, {len(d.blocks)} blocks, "
                f"{len(d.tables)} tables: {state}"
            )
    return EXIT_OK


def cmd_roadmap(args: argparse.Namespace) -> int:
    from extractors.extract import extract
    from extractors.roadmap import parse_roadmap

    doc = extract(Path(args.file))
    roadmap = parse_roadmap(doc, year=args.year)
    warnings = [e.reason for e in doc.errors] + roadmap.warnings
    out = {"items": [i.model_dump(mode="json") for i in roadmap.items], "warnings": warnings}
    if args.json:
        _print_json(out)
    else:
        for item in roadmap.items:
            print(
                f"{item.number}\t{item.deadline.text}\t{item.deadline.precision}\t"
                f"{item.activity[:80]}"
            )
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


def cmd_dates(args: argparse.Namespace) -> int:
    from extractors.deadlines import infer_year, parse_deadline

    lines = [line.rstrip("\n") for line in sys.stdin]
    year = args.year if args.year is not None else infer_year(lines)
    for line in lines:
        if line.strip():
            print(json.dumps(parse_deadline(line, year).to_json(), ensure_ascii=False))
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    from classifiers.doctype_model import classify_paths

    out = classify_paths(args.files, args.models)
    for obj in out:
        if args.json:
            print(json.dumps(obj, ensure_ascii=False))
        else:
            print(f"{obj['path']}: {obj.get('doc_type', obj.get('error'))}")
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from classifiers.doctype_model import train_model
    from classifiers.registry import promote_if_not_worse

    out = Path(args.out)
    report = train_model(Path(args.data), out, cv_folds=args.cv_folds)
    _print_json(report) if args.json else print(f"model written to {out}")
    if args.promote:
        # The same rule as `promote`: never a model worse than the one in use.
        heldout = Path(args.data) / "heldout.jsonl"
        if not heldout.is_file():
            print(f"{out.name}: not promoted (no {heldout} to compare on)", file=sys.stderr)
            return 1
        decision = promote_if_not_worse(out.parent, out.name, heldout)
        print(_decision_line(decision), file=sys.stderr)
        return EXIT_OK if decision.promoted else 1
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifiers.doctype_model import evaluate_models, format_evaluation

    result = evaluate_models([Path(m) for m in args.model], Path(args.data))
    _print_json(result) if args.json else print(format_evaluation(result))
    return EXIT_OK


def cmd_match(args: argparse.Namespace) -> int:
    from classifiers.doctype_model import load_classifier
    from expert_sheet.settings import load_settings
    from extractors.extract import extract
    from pipelines import school as stages

    arp = extract(Path(args.roadmap))
    docs = [arp] + [extract(Path(p)) for p in args.evidence]
    found = stages.match_school(
        docs, load_settings().classifier.low_confidence, load_classifier(), arp=arp
    )
    result = found.result
    # Pictures with no text are no evidence: what they seem to show, apart (see `review_school`).
    photos = stages.match_photos(found.items, docs)
    out = {
        "matches": [m.model_dump() for m in result.matches],
        "off_plan": result.off_plan,
        "photos": [
            {"document": m.document, "item": m.item, "reason": m.reason} for m in photos.matches
        ],
        "photos_not_linked": photos.off_plan,
        "unreadable": [e.model_dump() for d in docs for e in d.errors],
        "warnings": found.roadmap.warnings if found.roadmap else [],
    }
    if args.json:
        _print_json(out)
    else:
        for m in result.matches:
            print(f"{m.document} -> item {m.item} ({m.score:.2f}): {m.reason}")
        for name in result.off_plan:
            print(f"{name}: off-plan")
        for m in photos.matches:
            print(f"{m.document}: a photo, no evidence; seems to show item {m.item}: {m.reason}")
        for name in photos.off_plan:
            print(f"{name}: a photo, no evidence; shows no item that could be told")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from pipelines.prefect_env import use_defaults

    use_defaults()  # before Prefect is imported
    from prefect import serve

    from expert_sheet.settings import SettingsError
    from pipelines.schedule import crons, deployments, load_calendar

    try:
        calendar = load_calendar(args.calendar)
    except SettingsError as exc:
        print(f"evidence-review: calendar: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not _settings_ok(args.settings) or not _writable_folders(Path(args.out)):
        return EXIT_USAGE
    for stage in calendar.stage:
        print(f"{stage.name}: report date {stage.report_date}, cron {'; '.join(crons(stage))}")
    if args.dry_run:
        return EXIT_OK
    from pipelines.review import ApiUnreachable, check_configured_api

    try:
        check_configured_api()
    except ApiUnreachable as exc:
        print(f"evidence-review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    serve(
        *deployments(calendar, Path(args.region).resolve(), Path(args.out).resolve(), args.settings)
    )
    return EXIT_OK


def _db_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, metavar="URL", help="SQLAlchemy URL of the database")
    p.add_argument(
        "--out", default=None, help="the review's output folder (its review.sqlite)"
    )
    p.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence-review",
        description="Draft expert sheets for anti-risk programmes of 500+ schools.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("review", help="review every school folder of a region export")
    p.add_argument("dir", help="region export: one folder per school")
    p.add_argument("--out", required=True, help="output folder for sheets and the summary")
    p.add_argument("--report-date", required=True, type=_date, help="YYYY-MM-DD")
    p.add_argument("--settings", type=Path, default=None, help="rubric TOML (default: shipped)")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where extraction results are kept between runs (default OUT/.cache)",
    )
    p.add_argument("--json", action="store_true", help="print the region summary as JSON")
    p.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="review the schools on this running Dask cluster (needs prefect-dask; its "
        "workers need PREFECT_API_URL of a shared Prefect server and the same paths)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="schools reviewed in parallel, one process each (default: every core; "
        "1 runs everything in this process)",
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is shown only on a terminal and never with --json)",
    )
    p.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="review database (default: EVIDENCE_REVIEW_DB, else OUT/review.sqlite)",
    )
    p.set_defaults(func=cmd_review)

    p = sub.add_parser(
        "import-corrections", help="store the experts' edits of sheet.xlsx files as corrections"
    )
    p.add_argument("sheets", nargs="+", metavar="SHEET.xlsx")
    p.add_argument("--expert", required=True, help="who corrected the sheets")
    p.add_argument("--run", default=None, help="the run the sheets must come from "
                   "(default: the latest run that reviewed each school)")
    _db_options(p)
    p.set_defaults(func=cmd_import_corrections)

    p = sub.add_parser("agreement", help="agreement of the drafts with the experts' sheets")
    p.add_argument("--region", default=None, help="only this region (its export folder's name)")
    _db_options(p)
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser(
        "export-labels", help="corrections merged with data/labelled/ as training data"
    )
    p.add_argument("--out", required=True, help="folder for doctypes/ and matching/")
    p.add_argument("--labelled", type=Path, default=None, help="default: data/labelled")
    p.add_argument("--region", default=None)
    p.add_argument("--db", default=None, metavar="URL")
    p.add_argument("--review-out", dest="out_dir", default=None, metavar="OUT",
                   help="the review's output folder holding review.sqlite")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_labels)

    p = sub.add_parser(
        "promote", help="point models/PROMOTED at a model if it is not worse on held-out data"
    )
    p.add_argument("name", help="model folder name in the registry, e.g. doctype-v2")
    p.add_argument("--models", type=Path, default=Path("models"))
    p.add_argument("--data", type=Path, default=Path("data/labelled/doctypes"),
                   help="folder with heldout.jsonl, or a .jsonl file")
    p.add_argument("--force", action="store_true", help="promote even if worse (recorded)")
    p.add_argument("--note", default="", help="why, for the registry log when forced")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_promote)

    p = sub.add_parser("serve", help="run reviews on the schedule of a deadlines calendar")
    p.add_argument("--region", required=True, help="region export folder")
    p.add_argument("--calendar", required=True, type=Path, help="deadlines calendar (TOML)")
    p.add_argument("--out", default="out", help="output folder; one subfolder per stage")
    p.add_argument("--settings", type=Path, default=None)
    p.add_argument("--dry-run", action="store_true", help="print the schedules and stop")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("extract", help="extract text and tables from files")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("roadmap", help="parse the roadmap of an АРП file")
    p.add_argument("file")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_roadmap)

    p = sub.add_parser("dates", help="parse deadline cells, one per line on stdin, to JSON")
    p.add_argument("--year", type=int, default=None)
    p.set_defaults(func=cmd_dates)

    p = sub.add_parser("classify", help="document type and evidence kind of files")
    p.add_argument("files", nargs="+")
    p.add_argument(
        "--models",
        type=Path,
        default=Path("models"),
        help="model registry; its PROMOTED file names the model used",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("train", help="train a document-type model with its model card")
    p.add_argument("--data", required=True, help="folder with train.jsonl (and heldout.jsonl)")
    p.add_argument("--out", required=True, help="new model folder, e.g. models/doctype-v2")
    p.add_argument("--cv-folds", type=int, default=5, help="0 skips cross-validation")
    p.add_argument("--promote", action="store_true", help="point models/PROMOTED at it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score one or two models on the same held-out data")
    p.add_argument(
        "--model", required=True, action="append", help="model folder (twice to compare)"
    )
    p.add_argument("--data", required=True, help="folder with heldout.jsonl, or a .jsonl file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("match", help="match evidence files to the items of a roadmap")
    p.add_argument("roadmap")
    p.add_argument("evidence", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_match)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""The `carehub` command line: check, build, serve, new, schema and withdraw.

Thin on purpose: each command parses its options and calls the modules that
do the work.  Exit codes are part of the interface (CI and pre-commit rely on
them): 0 no errors, 1 content errors, 2 usage or internal error.  No command
prints a traceback unless --debug is given.

Must not pass data to other parts through module globals or environment
variables: `build` hands the plugin its checked catalogue
(``CarehubPlugin.hand_over``) and its options (``jobs``, ``cache``) on the
plugin's config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from carehub import __version__, jobs
from carehub.check.storytypes import STORY_TYPES
from carehub.problems import format_github, format_json, format_text

if TYPE_CHECKING:
    from carehub.check.vocabularies import Vocabularies
    from carehub.contribute.fieldspec import FieldSpec

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"carehub: {message}\n")


def find_root(start: Path) -> Path:
    """The project root: the nearest folder at or above ``start`` holding mkdocs.yml."""
    for folder in (start, *start.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise FileNotFoundError(f"no mkdocs.yml in {start} or any folder above it")


def _today() -> dt.date:
    """Today's date, or CAREHUB_TODAY (YYYY-MM-DD) where tests and benchmarks pin it: read here, at the edge,
    and passed down to whatever compares dates with today."""
    override = os.environ.get("CAREHUB_TODAY")
    return dt.date.fromisoformat(override) if override else dt.date.today()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="carehub", description="Check, build and serve the new care models hub.")
    parser.add_argument("--version", action="version", version=f"carehub {__version__}")
    parser.add_argument("--root", type=Path, help="project folder (default: the nearest with mkdocs.yml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser(
        "check",
        help="check stories for every problem, without building",
        description="Check stories and data files. Exit 0: no errors; 1: errors; 2: usage.",
    )
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: all of stories/)"
    )
    check.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format")
    check.add_argument("--jobs", type=int, default=0, help="processes to use (default: one per core for many files)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--no-review",
        dest="review",
        action="store_false",
        help="do not warn of case studies with no update or review for two years (CH231, on by default)",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="check every file afresh, without reading or writing .cache/carehub/check/ (also: CAREHUB_NO_CACHE=1)",
    )

    build = commands.add_parser("build", help="check, then build the site into site/ atomically")
    build.add_argument("--site-dir", type=Path, help="where to publish (default: site/)")
    build.add_argument("--jobs", type=int, default=0, help="processes for checking (default: one per core)")
    build.add_argument("--quiet", action="store_true", help="only print problems")
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="render every page afresh, without reading or writing .cache/carehub/pages/ (also: CAREHUB_NO_CACHE=1)",
    )

    serve = commands.add_parser("serve", help="preview the site at http://127.0.0.1:8000 and rebuild on changes")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")

    new = commands.add_parser(
        "new",
        help="start a new story from the template for its type",
        description="Create stories/<type folder>/<slug>.md with every required field and a comment on each. "
        "In a terminal it asks for what you have not given; values left to fill in are marked FILL IN, "
        "and `carehub check` reports each as an error until it is replaced. It never overwrites a file.",
    )
    new.add_argument("--type", dest="story_type", choices=STORY_TYPES, help="the kind of story")
    new.add_argument("--title", help="a short, plain title; the file name is made from it")
    new.add_argument("--summary", help="one or two sentences: what changed and what difference it made")
    new.add_argument("--organisation", help="the organisation or partnership telling the story")
    new.add_argument("--care-model", action="append", default=[], metavar="ID", help="a care model id (repeatable)")
    new.add_argument("--setting", action="append", default=[], metavar="ID", help="a setting id (repeatable)")
    new.add_argument("--region", metavar="ID", help="the NHS England region id, or national")
    new.add_argument("--barrier", action="append", default=[], metavar="ID", help="a barrier id (repeatable)")
    new.add_argument("--tag", action="append", default=[], metavar="ID", help="a tag id (repeatable)")
    new.add_argument("--consent-reference", metavar="REF", help="patient stories: the consent record's reference")
    new.add_argument(
        "--consent-reviewed",
        action="store_true",
        help="patient stories: the person has read and agreed the final text",
    )
    new.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any other field, e.g. --set evidence_level=before-and-after or --set consent.scope=website,feeds",
    )
    new.add_argument("--folder", help="folder under stories/ (default: the folder for the type)")
    new.add_argument("--slug", help="the file name without .md (default: made from the title, unique)")
    new.add_argument("--stdout", action="store_true", help="print the story instead of writing a file")
    new.add_argument("--no-input", action="store_true", help="never ask questions, even in a terminal")
    new.add_argument(
        "--templates", action="store_true", help="refresh stories/_templates/ from the content model and stop"
    )

    withdraw = commands.add_parser(
        "withdraw",
        help="withdraw a story at its teller's request: delete its file and record its slug",
        description="Delete the story's file and record only its slug and today's date in data/withdrawn.yml. "
        "At the next build the story is gone from every page, listing, feed, search and open data file, and its "
        "address says it was withdrawn. Links to it from other stories become warnings, never errors. "
        "Exit 0: withdrawn (or withdrawn already); 1: no such story, or data/withdrawn.yml has problems; 2: usage.",
    )
    withdraw.add_argument("slug", metavar="SLUG", help="the story's file name without .md, as in /stories/SLUG/")

    schema = commands.add_parser(
        "schema",
        help="print or refresh the JSON Schema of story front matter, for editors",
        description="Print the JSON Schema of story front matter (generated from the content model and "
        "data/vocabularies.yml). --write refreshes schema/*.schema.json; --check fails if they are out of date.",
    )
    schema.add_argument("--site", action="store_true", help="the schema of data/sites/*.yml instead")
    schema_mode = schema.add_mutually_exclusive_group()
    schema_mode.add_argument("--write", action="store_true", help="write schema/story.schema.json and site.schema.json")
    schema_mode.add_argument("--check", action="store_true", help="exit 1 if the committed schemas are out of date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    args = _parser().parse_args(argv)
    try:
        root = (args.root or find_root(Path.cwd())).resolve()
        if args.command == "check":
            return _check(root, args)
        if args.command == "build":
            return _build(root, args)
        if args.command == "serve":
            return _serve(root, args)
        if args.command == "new":
            return _new(root, args)
        if args.command == "schema":
            return _schema(root, args)
        if args.command == "withdraw":
            return _withdraw(root, args)
    except KeyboardInterrupt:
        return EXIT_USAGE
    except FileNotFoundError as error:
        print(f"carehub: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the promise is: never a traceback for users
        if args.debug:
            import traceback

            traceback.print_exc()
        print(
            f"carehub: internal error: {type(error).__name__}: {error}\n"
            "Please report this, with the command you ran; add --debug for details.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


def _check(root: Path, args: argparse.Namespace) -> int:
    for path in args.paths:
        if not path.exists():
            print(f"carehub: {path}: no such file or folder", file=sys.stderr)
            return EXIT_USAGE
    from carehub.check import checkcache
    from carehub.check.checker import check_project

    cache = not (args.no_cache or checkcache.disabled_by_environment())
    report = check_project(
        root, args.paths or None, jobs=jobs.resolve(args.jobs), cache=cache, today=_today(), review=args.review
    )
    problems = list(report.problems)
    if args.format == "json":
        print(format_json(problems, report.checked))
    elif args.format == "github":
        print(format_github(problems, report.checked))
    else:
        print(format_text(problems, report.checked, report.sources, colour=sys.stdout.isatty()))
    failing = [p for p in problems if p.is_error or args.strict]
    return EXIT_CONTENT if failing else EXIT_OK


def _build(root: Path, args: argparse.Namespace) -> int:
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from carehub.check import docpages
    from carehub.check.catalogue import load_catalogue
    from carehub.problems import sort_problems
    from carehub.publish.swap import publish_atomically
    from carehub.render.plugin import CarehubPlugin, ContentError

    # Stories hold no bodies: the page workers read each story again (catalogue.story_body).
    catalogue = load_catalogue(root, today=_today(), jobs=jobs.resolve(args.jobs))
    pages = docpages.check_pages(root)  # the plugin refuses them too (on_config), with MkDocs' own docs_dir
    if catalogue.errors or pages.problems:
        problems = sort_problems([*catalogue.problems, *pages.problems])
        sources = {**catalogue.sources, **pages.sources}
        print(format_text(problems, catalogue.checked + pages.checked, sources, colour=sys.stdout.isatty()))
        print("\nNothing was built; the previous site/ is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    if catalogue.problems and not args.quiet:
        print(format_text(list(catalogue.problems), catalogue.checked, catalogue.sources))
    site_dir = (args.site_dir or root / "site").resolve()
    # Warnings only: MkDocs' INFO lines ("Cleaning site directory", timings) would bury a real warning.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    def build_into(staging: Path) -> None:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(staging))
        plugin = config.plugins.get("carehub")
        if isinstance(plugin, CarehubPlugin):
            if args.jobs > 0:  # --jobs: also the processes that render pages
                plugin.config.jobs = args.jobs
            if args.no_cache:  # the check step of a build always reads every story afresh
                plugin.config.cache = False
            plugin.hand_over(catalogue)  # checked above: the plugin does not read every story again
        mkdocs_build(config)

    try:
        publish_atomically(site_dir, build_into)
    except ContentError as error:
        print(str(error))
        return EXIT_CONTENT
    except (Abort, ConfigurationError, PluginError) as error:
        print(f"carehub: the build failed: {error}\nThe previous site/ is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print(f"Built {len(catalogue.stories)} stories into {site_dir}.")
    return EXIT_OK


def _serve(root: Path, args: argparse.Namespace) -> int:
    """Preview with live reload.  The first build is a whole one; after a change to stories/, only the pages it
    changed are rendered again, and the site is byte for byte what `carehub build` writes
    (render/incremental.py).  A rebuild with problems lists them and keeps serving the last good build.
    """
    import logging  # lazily, like MkDocs: `carehub check` stays fast
    import shutil
    import tempfile

    from mkdocs.exceptions import Abort, ConfigurationError

    from carehub.render.incremental import LiveSite
    from carehub.render.preview import PreviewServer

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        print(f"carehub: --dev-addr must be HOST:PORT, such as 127.0.0.1:8000, not {args.dev_addr}", file=sys.stderr)
        return EXIT_USAGE
    # Warnings only, as `carehub build`; and MkDocs' server saying where it serves and when browsers reload.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("mkdocs.livereload").setLevel(logging.INFO)
    folder = Path(tempfile.mkdtemp(prefix="carehub-serve-"))
    try:
        live = LiveSite(root, folder / "site", today=_today(), jobs=jobs.resolve(0))
        try:
            if not live.start():
                return EXIT_CONTENT  # the problems are printed: nothing to serve yet
        except (Abort, ConfigurationError) as error:
            print(f"carehub: the preview could not start: {error}", file=sys.stderr)
            return EXIT_CONTENT
        server = PreviewServer(
            builder=live.update,
            host=host,
            port=int(port),
            root=str(live.site_dir),
            polling_interval=POLL_SECONDS,
        )
        server.error_handler = lambda code: _error_page(live.site_dir, code)
        for path in live.watched():
            server.watch(str(path))
        try:
            server.serve()  # type: ignore[no-untyped-call]  # MkDocs leaves it unannotated
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr)
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return EXIT_OK


POLL_SECONDS = 0.2  # how often the server looks for changed files (MkDocs' default, 0.5 s, is most of a rebuild)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    """The site's own 404 page, as `mkdocs serve` shows it."""
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None


def _withdraw(root: Path, args: argparse.Namespace) -> int:
    from carehub.check.withdrawals import WITHDRAWN_FILE, withdraw
    from carehub.errors import WithdrawError
    from carehub.read.storyfiles import SLUG_RE

    slug = args.slug
    if slug.endswith(".md"):  # a path to the story, as `carehub check` takes: its slug
        slug = Path(slug).parent.name if Path(slug).name == "index.md" else Path(slug).stem
    if not SLUG_RE.match(slug):
        print(
            f"carehub: `{args.slug}` is not a story's slug: lowercase words joined by hyphens, "
            "the file name without .md, as in /stories/<slug>/.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        outcome = withdraw(root, slug, _today())
    except WithdrawError as error:
        print(f"carehub: {error}", file=sys.stderr)
        return EXIT_CONTENT
    when = outcome.date.isoformat()
    if outcome.already:
        print(f"`{slug}` was withdrawn already, on {when} ({WITHDRAWN_FILE}).")
    else:
        print(f"Recorded `{slug}` as withdrawn on {when} in {WITHDRAWN_FILE} (the slug and the date only).")
    for rel in outcome.deleted:
        print(f"Deleted {rel}.")
    if outcome.files:
        print("It referred to these files, which are still there; delete them if no other story uses them:")
        for rel in outcome.files:
            print(f"  {rel}")
    if outcome.deleted or not outcome.already:
        print(
            f"At the next build /stories/{slug}/ only says the story was withdrawn, and the story is gone from "
            "every listing, feed, search and open data file.\n"
            "Commit the changes in one pull request marked as urgent; `carehub check` lists links to it as CH510."
        )
    return EXIT_OK


def _load_vocabularies(root: Path) -> Vocabularies | None:
    from carehub.check import vocabularies

    vocab, problems = vocabularies.load(root / "data" / "vocabularies.yml", root)
    if any(p.is_error for p in problems):
        print(format_text(problems, 1), file=sys.stderr)
        print("carehub: fix data/vocabularies.yml first.", file=sys.stderr)
        return None
    return vocab


def _schema(root: Path, args: argparse.Namespace) -> int:
    from carehub.contribute import schema, settings

    vocab = _load_vocabularies(root)
    if vocab is None:
        return EXIT_CONTENT
    base_url = settings.load(root).site_url
    texts = {
        schema.STORY_SCHEMA_PATH: schema.render(schema.story_schema(vocab, base_url)),
        schema.SITE_SCHEMA_PATH: schema.render(schema.site_schema(vocab, base_url)),
    }
    if args.write:
        for rel, text in texts.items():
            print(f"{'Wrote' if schema.write(root / rel, text) else 'Unchanged'}: {rel}")
        return EXIT_OK
    if args.check:
        stale = [rel for rel, text in texts.items() if not (root / rel).is_file() or (root / rel).read_text() != text]
        for rel in stale:
            print(
                f"{rel}: out of date with the content model or data/vocabularies.yml.\n"
                "    Run `carehub schema --write` and commit the result."
            )
        return EXIT_CONTENT if stale else EXIT_OK
    sys.stdout.write(texts[schema.SITE_SCHEMA_PATH if args.site else schema.STORY_SCHEMA_PATH])
    return EXIT_OK


def _new(root: Path, args: argparse.Namespace) -> int:
    from carehub.contribute import fieldspec, scaffold, schema
    from carehub.errors import ScaffoldError

    vocab = _load_vocabularies(root)
    if vocab is None:
        return EXIT_CONTENT
    story_schema = schema.story_schema(vocab)
    if args.templates:
        changed = scaffold.refresh_templates(root, story_schema)
        print(f"Refreshed {len(changed)} template(s) in stories/{scaffold.TEMPLATES_DIR}/.")
        return EXIT_OK
    interactive = sys.stdin.isatty() and not args.no_input and not args.stdout
    story_type = args.story_type
    if story_type is None:
        if not interactive:
            print("carehub: choose the kind of story with --type " + "|".join(STORY_TYPES), file=sys.stderr)
            return EXIT_USAGE
        story_type = _ask_type()
    given: dict[str, object] = {}
    for name, value in (
        ("title", args.title),
        ("summary", args.summary),
        ("organisation", args.organisation),
        ("care_models", args.care_model),
        ("settings", args.setting),
        ("region", args.region),
        ("barriers", args.barrier),
        ("tags", args.tag),
        ("consent.reference", args.consent_reference),
        ("consent.reviewed_final_text", True if args.consent_reviewed else None),
    ):
        if value:
            given[name] = value
    specs = {spec.name: spec for spec in fieldspec.type_fields(story_schema, story_type)}
    for item in args.set:
        name, sep, raw = item.partition("=")
        spec = _spec_at(specs, name.strip())
        if not sep or spec is None:
            print(f"carehub: --set {item}: expected FIELD=VALUE with a field of a {story_type}.", file=sys.stderr)
            return EXIT_USAGE
        value, problem = scaffold.parse_answer(spec, raw.strip())
        if problem:
            print(f"carehub: --set {item}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        given[name.strip()] = value
    problems = _check_given(specs, given)
    if problems:
        for problem in problems:
            print(f"carehub: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if interactive:
        if "title" not in given:
            title = input("Title (a short, plain title that says what happened): ").strip()
            if title:
                given["title"] = title
        given = scaffold.ask_answers(story_type, story_schema, given, input, print)
    try:
        plan = scaffold.plan(root, story_type, given, story_schema, _today(), folder=args.folder, slug=args.slug)
        if args.stdout:
            sys.stdout.write(plan.text)
            return EXIT_OK
        scaffold.write_new(plan)
    except FileExistsError:
        print("carehub: that file appeared meanwhile; carehub new never overwrites a file.", file=sys.stderr)
        return EXIT_USAGE
    except ScaffoldError as error:
        print(f"carehub: {error}", file=sys.stderr)
        return EXIT_USAGE
    rel = plan.path.relative_to(root).as_posix()
    print(f"Created {rel}; it will be published at /stories/{plan.slug}/.")
    if plan.placeholders:
        print("Still to fill in (marked FILL IN): " + ", ".join(plan.placeholders) + ".")
        print(
            "Until every FILL IN is replaced, `carehub check` reports each one as an error (CH218) "
            "and the story cannot be published."
        )
    print(f"Write the story below the front matter, then run: carehub check {rel}")
    return EXIT_OK


def _ask_type() -> str:
    from carehub.check.model import TYPE_DESCRIPTIONS, TYPE_LABELS

    print("What kind of story is it?")
    for number, story_type in enumerate(STORY_TYPES, 1):
        print(f"  {number}. {TYPE_LABELS[story_type]}: {TYPE_DESCRIPTIONS[story_type]}")
    while True:
        reply = input("Number: ").strip()
        if reply.isdigit() and 1 <= int(reply) <= len(STORY_TYPES):
            return STORY_TYPES[int(reply) - 1]
        if reply in STORY_TYPES:
            return reply
        print(f"  Type a number from 1 to {len(STORY_TYPES)}.")


def _spec_at(specs: dict[str, FieldSpec], dotted: str) -> FieldSpec | None:
    head, _, rest = dotted.partition(".")
    spec = specs.get(head)
    if spec is None or not rest:
        return spec
    return next((child for child in spec.children if child.name == rest), None)


def _check_given(specs: dict[str, FieldSpec], given: dict[str, object]) -> list[str]:
    """Flag values the options gave that break a field's rules, before anything is written."""
    from carehub.contribute.scaffold import parse_answer

    problems = []
    for dotted, value in given.items():
        spec = _spec_at(specs, dotted)
        if spec is None:
            problems.append(f"a {dotted} is not a field of this kind of story.")
            continue
        raw = ",".join(value) if isinstance(value, list) else value
        if isinstance(raw, str):
            _, problem = parse_answer(spec, raw)
            if problem:
                problems.append(f"{dotted}: {problem}")
    return problems

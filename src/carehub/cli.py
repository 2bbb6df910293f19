"""The `carehub` command line: check, build and serve.

Thin on purpose: each command parses its options and calls the modules that
do the work.  Exit codes are part of the interface (CI and pre-commit rely on
them): 0 no errors, 1 content errors, 2 usage or internal error.  No command
prints a traceback unless --debug is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .catalogue import load_catalogue
from .problems import format_github, format_json, format_text

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

    build = commands.add_parser("build", help="check, then build the site into site/ atomically")
    build.add_argument("--site-dir", type=Path, help="where to publish (default: site/)")
    build.add_argument("--jobs", type=int, default=0, help="processes for checking (default: one per core)")
    build.add_argument("--quiet", action="store_true", help="only print problems")

    serve = commands.add_parser("serve", help="preview the site at http://127.0.0.1:8000 and rebuild on changes")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
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
    except KeyboardInterrupt:
        return EXIT_USAGE
    except FileNotFoundError as error:
        print(f"carehub: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the promise is: never a traceback for users
        if args.debug:
            traceback.print_exc()
        print(
            f"carehub: internal error: {type(error).__name__}: {error}\n"
            "Please report this, with the command you ran; add --debug for details.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


def _jobs(requested: int, files: int = 1000) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def _check(root: Path, args: argparse.Namespace) -> int:
    for path in args.paths:
        if not path.exists():
            print(f"carehub: {path}: no such file or folder", file=sys.stderr)
            return EXIT_USAGE
    catalogue = load_catalogue(root, args.paths or None, jobs=_jobs(args.jobs), keep_stories=False)
    problems = list(catalogue.problems)
    if args.format == "json":
        print(format_json(problems, catalogue.checked))
    elif args.format == "github":
        print(format_github(problems, catalogue.checked))
    else:
        print(format_text(problems, catalogue.checked, catalogue.sources, colour=sys.stdout.isatty()))
    failing = [p for p in problems if p.is_error or args.strict]
    return EXIT_CONTENT if failing else EXIT_OK


def _build(root: Path, args: argparse.Namespace) -> int:
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from .plugin import ContentError, preload
    from .publish import publish_atomically

    catalogue = load_catalogue(root, jobs=_jobs(args.jobs))
    if catalogue.errors:
        print(format_text(list(catalogue.problems), catalogue.checked, catalogue.sources, colour=sys.stdout.isatty()))
        print("\nNothing was built; the previous site/ is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    if catalogue.problems and not args.quiet:
        print(format_text(list(catalogue.problems), catalogue.checked, catalogue.sources))
    site_dir = (args.site_dir or root / "site").resolve()
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")

    def build_into(staging: Path) -> None:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(staging))
        preload(catalogue)
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
    """Preview with live reload.  MkDocs rebuilds on changes to docs/, overrides/ and (through `watch:` in
    mkdocs.yml) stories/ and data/; a rebuild with problems lists them and keeps serving the last good build.
    """
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort, ConfigurationError

    from .plugin import ContentError

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        serve(config_file=str(root / "mkdocs.yml"), dev_addr=args.dev_addr, livereload=True)
    except ContentError as error:  # the first build failed: nothing to serve yet
        print(str(error))
        return EXIT_CONTENT
    except (Abort, ConfigurationError) as error:
        print(f"carehub: the preview could not start: {error}", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK

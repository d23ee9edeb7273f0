"""`turn-east site`: the command line of the course website (arguments, progress, summary, exit status)."""

from __future__ import annotations

import argparse
import os
import sys

from turn_east.errors import TurnEastError, UsageError
from turn_east.make.site.build import AUDIENCES, SiteError, build_site
from turn_east.make.site.config import read_config, with_overrides
from turn_east.make.handouts.plan import jobs_arg

DESCRIPTION = ("Build the course website into build/site/ with Sphinx (myst-nb, the book theme) from the lessons "
               "as `turn-east handouts` executed them (reused when still current, executed otherwise).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = DESCRIPTION
    p.add_argument("--audience", choices=AUDIENCES, default="student",
                   help="student (default): the public site, without leader notes or answers, in build/site/; "
                        "leader: with leader notes and answer keys, in build/site-leader/ (never publish it)")
    p.add_argument("--lessons", nargs="+", metavar="ID", help="only these lessons (ids or prefixes), for a draft")
    p.add_argument("--out", default="build", metavar="DIR", help="build folder (default: build/)")
    p.add_argument("--repo", default=None, metavar="URL",
                   help="the course's public git repository, for the Binder and JupyterHub buttons "
                        "(default: [tool.turn-east.site] repository in pyproject.toml)")
    p.add_argument("--branch", default=None, help="the branch those buttons open (default: the repository's default)")
    p.add_argument("--hub", default=None, metavar="URL",
                   help="the JupyterHub of the 'Open on JupyterHub' buttons ('' for none; default: pyproject.toml)")
    p.add_argument("--binder", default=None, metavar="URL",
                   help="the BinderHub of the 'Open on Binder' buttons ('' for none; default: https://mybinder.org)")
    p.add_argument("--jobs", "-j", type=jobs_arg, default=os.cpu_count() or 1, metavar="N",
                   help="parallel workers for lessons that must be executed (default: the number of CPUs)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another build writing into the same folder (default: stop at once)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the summary")


def run(args) -> int:
    err = sys.stderr
    try:
        config = with_overrides(read_config(), repository=args.repo, branch=args.branch, jupyterhub=args.hub,
                                binderhub=args.binder)

        def progress(done, total, r):
            if not args.quiet:
                print(f"[{done}/{total}] executed {r.lesson}: {r.status} in {r.seconds:.1f} s", file=err, flush=True)

        result = build_site(args, config=config, progress=progress)
    except SiteError as exc:
        print(f"turn-east site: {exc}", file=err)
        return 1
    except (UsageError, TurnEastError) as exc:
        print(f"turn-east site: error: {exc}", file=err)
        return 2
    t = result.timings
    print(f"site: {result.pages} pages in {result.site}/index.html; lessons: {len(result.reused)} execution(s) "
          f"reused, {len(result.executed)} executed; {sum(t.values()):.1f} s (plan {t.get('plan', 0):.1f}, execute "
          f"{t.get('execute', 0):.1f}, sources {t.get('sources', 0):.1f}, sphinx {t.get('sphinx', 0):.1f}, "
          f"publish {t.get('publish', 0):.1f})")
    for item in result.placeholders:
        print(f"note: the site links to a placeholder address ({item}); set it in [tool.turn-east.site] of "
              "pyproject.toml or with --repo/--hub before you publish", file=err)
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="turn-east site")
    add_arguments(ap)
    return ap


def main(argv=None) -> int:
    return run(parser().parse_args(argv))

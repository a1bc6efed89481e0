"""Command line of the course: ``python -m hiertools {lab,build,doctor,datasets,site}``.

The texts that ``--help`` prints are plain text (below), so a terminal shows no markup.
This module and the doctor need only the standard library to start: run by a Python
without the course's packages, ``doctor`` reports them as ``[FAIL]`` lines and every
other command stops with one line naming that Python and the fix.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

#: The notebook `python -m hiertools lab` opens, relative to the course folder.
START_NOTEBOOK = "lessons/01_three_ways.ipynb"
#: Course-wide JupyterLab defaults (no news pop-up on first start), found through
#: JUPYTER_CONFIG_PATH as ``labconfig/default_setting_overrides.json``.  They are defaults:
#: the learner's own settings still win, and nothing is written to them.
LAB_CONFIG = Path(__file__).resolve().parent / "jupyter"


def lab_command(extra: list[str], root: Path | None = None) -> tuple[list[str], dict, Path]:
    """The command line, environment and working folder that start the course's JupyterLab.

    JupyterLab serves the course folder (the repository root, so ``lessons/`` and
    ``solutions/`` are both in its file browser) and opens lesson 01: its default
    URL, which is also the URL printed in the terminal for headless and remote
    users, is ``/lab/tree/lessons/01_three_ways.ipynb``.  `extra` arguments come
    last, so they can override any of these.
    """
    from .build import repo_root

    root = Path(root) if root is not None else repo_root()
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}",
               f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}", *_encryption_options(),
               *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        command.append("--allow-root")  # containers (Docker, Binder) often run as root
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(LAB_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")]))
    return command, env, root


#: The first releases with a ``transport_encryption`` setting: jupyter_server's
#: MappingKernelManager (2.20) passes it to jupyter_client's KernelManager (8.9).
ENCRYPTION_SINCE = {"jupyter_server": (2, 20), "jupyter_client": (8, 9)}


def _encryption_options() -> list[str]:
    """JupyterLab's option that gives each kernel CurveZMQ keys, where it has one (see
    :func:`hiertools.build.kernel_encryption`): no eavesdropping warning per kernel.

    Decided from the installed versions, not by importing jupyter_server's kernel manager:
    that import costs 1.5 s, at every launch, before JupyterLab pays it again.
    """
    from importlib import metadata  # the command line starts on the standard library alone

    try:
        versions = {name: tuple(map(int, re.findall(r"\d+", metadata.version(name))[:2]))
                    for name in ENCRYPTION_SINCE}
        import zmq  # installed with jupyter_client; 0.01 s
    except (metadata.PackageNotFoundError, ImportError):  # the doctor says what to install
        return []
    new_enough = all(versions[name] >= since for name, since in ENCRYPTION_SINCE.items())
    if new_enough and zmq.has("curve"):
        return ["--MappingKernelManager.transport_encryption=auto"]
    return []


def lab(extra: list[str]) -> int:
    """Start JupyterLab on the course folder, opening lesson 01.

    On POSIX the launcher *becomes* JupyterLab (exec): a Ctrl+C, or a SIGTERM from a
    script, a process manager or a hub, reaches the server itself, which stops its
    kernels and frees the port.  (A child process would be orphaned by a SIGTERM and
    keep the port.)  Windows has no exec that keeps the console: there JupyterLab runs
    as a child, which a console Ctrl+C reaches as well.
    """
    command, env, root = lab_command(extra)
    print(f"Starting JupyterLab in {root} at {START_NOTEBOOK}; stop it with Ctrl+C twice.",
          file=sys.stderr)
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(root)
        os.execve(command[0], command, env)  # does not return
    import subprocess

    try:
        return subprocess.call(command, cwd=root, env=env)
    except KeyboardInterrupt:
        return 0


def cannot_run(command: str) -> str | None:
    """Why this Python cannot run `command`, in one line with the fix; None when it can.

    `command` is ``lab``, ``build``, ``datasets`` or ``site``: each needs the runtime packages.
    """
    import hiertools

    from .doctor import install_fix, missing_modules

    missing = missing_modules()
    if missing:
        return (f"python -m hiertools {command}: {', '.join(missing)} missing. "
                f"Fix: {install_fix(command)}.")
    error = getattr(hiertools, "_import_error", None)  # set only by `python -m hiertools`
    if error is not None:
        return (f"python -m hiertools {command}: import hiertools failed "
                f"({type(error).__name__}: {error}). Run `python -m hiertools doctor`.")
    return None


DESCRIPTION = """\
The Partial Pooling course's command line. Start with "python -m hiertools doctor",
then "python -m hiertools lab". "python -m hiertools COMMAND --help" describes a command.
"""

BUILD_DESCRIPTION = """\
Build the course notebooks; solutions/ are the source.

For each solutions/NN_*.ipynb and appendix_*.ipynb (all of them, or those named):
execute it from a fresh kernel and store its outputs; make the student copy (solution
code between ### BEGIN SOLUTION and ### END SOLUTION becomes a stub that raises
NotImplementedError, exercise outputs are cleared); execute the student copy and store
it as lessons/NN_*.ipynb. Run it from inside the course folder.
"""

SITE_DESCRIPTION = """\
Build the course website from the stored outputs of solutions/ (nothing is executed):
home page and course map, the eight lessons with each solution folded, the instructor
guide, notation, datasets and API reference. Sphinx warnings are errors. Needs the
site tools: pip install -e ".[site]". Open _build/site/index.html, or add --serve.
"""


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="python -m hiertools", description=DESCRIPTION,
                                     formatter_class=raw)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lab_cmd = commands.add_parser("lab", help="open the course in JupyterLab at lesson 01",
                                  description="Open the course in JupyterLab at lesson 01; "
                                              "any further arguments go to jupyter lab.")
    lab_cmd.add_argument("extra", nargs=argparse.REMAINDER, help="arguments for jupyter lab")
    build_cmd = commands.add_parser("build", help="execute solutions and regenerate lessons",
                                    description=BUILD_DESCRIPTION, formatter_class=raw)
    build_cmd.add_argument("notebooks", nargs="*", metavar="NN",
                           help="lesson numbers or names, e.g. 01, 03_shrinkage or appendix "
                                "(default: all)")
    commands.add_parser("doctor", help="check that this environment can run the course",
                        description="Check that this environment can run the course: one "
                                    "line per check, and a fix for anything missing.")
    commands.add_parser("datasets", help="list the shipped datasets with their titles",
                        description="List the datasets shipped with hiertools.")
    site_cmd = commands.add_parser("site", help="build the course website (needs the [site] extra)",
                                   description=SITE_DESCRIPTION, formatter_class=raw)
    site_cmd.add_argument("--out", metavar="DIR", help="output folder (default: _build/site)")
    site_cmd.add_argument("--serve", action="store_true",
                          help="then serve it on http://127.0.0.1:PORT/ until Ctrl+C")
    site_cmd.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lab"]:  # everything after `lab` belongs to jupyter lab, options included
        problem = cannot_run("lab")
        if problem:
            print(problem, file=sys.stderr)
            return 1
        return lab(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from .doctor import doctor

        return doctor()
    problem = cannot_run(args.command)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if args.command == "build":
        from .build import build

        build(args.notebooks or None)
        return 0
    if args.command == "site":
        from .site import main as site_main

        return site_main(args.out, serve_it=args.serve, port=args.port)
    import hiertools as ht

    for name in ht.list_datasets():
        print(f"{name:14s} {ht.dataset_info(name)['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

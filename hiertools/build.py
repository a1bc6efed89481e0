"""Build the course notebooks: solutions are the source, lessons are generated.

``python -m hiertools build`` does, for every ``solutions/NN_*.ipynb`` (the lessons) and
``solutions/appendix_*.ipynb`` (appendices: not graded, no exercises; ``build appendix``
builds them alone):

1. execute the solution from a fresh kernel and store its outputs;
2. generate the student copy: code between ``### BEGIN SOLUTION`` and
   ``### END SOLUTION`` becomes a stub that raises ``NotImplementedError``
   (tagged ``raises-exception``), the same markers in markdown become
   "*Your answer here.*", cells tagged ``check`` are kept for the learner to run
   but skipped by nbval (``nbval-skip``), and the outputs of both are cleared;
3. execute the student copy (proving that later cells never depend on an
   answer) and store it as ``lessons/NN_*.ipynb``, outputs included, so a
   self-study learner sees the expected figures and tables;
4. write the workshop's follow-along copy ``follow/NN_*.ipynb``: the markdown, the
   import cell, cells tagged ``setup`` and the check cells kept, every other code
   cell empty and no outputs -- the instructor types, the room types along.

The same transformation is used by the tests to prove ``lessons/`` is up to date.
The markers are nbgrader's, and exercise cells carry nbgrader cell metadata, so
``nbgrader generate_assignment`` also works on ``solutions/``.
"""

from __future__ import annotations

import copy
import re
import sys
import time
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
MARKDOWN_STUB = "*Your answer here.*"
EXERCISE_TAG, CHECK_TAG, SETUP_TAG = "raises-exception", "check", "setup"
KERNEL = "python3"


def repo_root() -> Path:
    """The course folder: the nearest parent of the working directory with solutions/."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "solutions").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    here = Path(__file__).resolve().parent.parent
    if (here / "solutions").is_dir():
        return here
    raise FileNotFoundError("Cannot find the course folder (one with solutions/ and "
                            "pyproject.toml); run this from inside the cloned repository.")


def is_exercise(cell) -> bool:
    return BEGIN in cell.source


def is_answer_cell(cell) -> bool:
    """An exercise cell, before (markers) or after (nbgrader metadata) stripping."""
    return is_exercise(cell) or bool(cell.metadata.get("nbgrader", {}).get("solution"))


def is_check(cell) -> bool:
    return CHECK_TAG in cell.metadata.get("tags", [])


def strip_solutions(source: str, stub_lines: list[str] | None) -> str:
    """Replace every BEGIN/END SOLUTION block with a stub at the marker's indentation."""
    out, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in (stub_lines or [MARKDOWN_STUB]))
        elif marker == END:
            if not inside:
                raise ValueError(f"{END} without {BEGIN} in:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END} in:\n{source}")
    return "\n".join(out)


def solution_lines(source: str) -> list[str]:
    """The lines between the markers (stripped, non-empty): what must never reach a lesson."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (BEGIN, END):
            inside = marker == BEGIN
        elif inside and marker:
            lines.append(marker)
    return lines


def _add_tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def make_lesson(solution):
    """Student copy of an (executed) solution notebook; not executed, input unchanged."""
    lesson = copy.deepcopy(solution)
    for cell in lesson.cells:
        if is_exercise(cell):
            if cell.cell_type == "code":
                cell.source = strip_solutions(cell.source, CODE_STUB)
                _add_tag(cell, EXERCISE_TAG)
                cell.outputs, cell.execution_count = [], None
            else:
                cell.source = strip_solutions(cell.source, None)
        elif is_check(cell):
            _add_tag(cell, "nbval-skip")
            cell.outputs, cell.execution_count = [], None
    lesson.metadata["hiertools"] = {"generated_from": "solutions/ by python -m hiertools build; "
                                                      "do not edit"}
    return lesson


def is_kept_in_follow_along(cell) -> bool:
    """The code cells a workshop room does not type: the import cell, setup cells, checks."""
    tags = cell.metadata.get("tags", [])
    return "import hiertools" in cell.source or SETUP_TAG in tags or is_check(cell)


def make_follow_along(solution):
    """The follow-along copy of a solution notebook: code cells to type into, no outputs."""
    follow = copy.deepcopy(make_lesson(solution))
    for cell in follow.cells:
        if cell.cell_type != "code":
            continue
        if not is_kept_in_follow_along(cell):
            cell.source = ""
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("nbgrader", None)
        tags = [t for t in cell.metadata.get("tags", []) if t not in (EXERCISE_TAG, "nbval-skip")]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    follow.metadata.pop("widgets", None)
    follow.metadata["hiertools"] = {"generated_from": "solutions/ by python -m hiertools build "
                                                      "(follow-along copy); do not edit"}
    return follow


def _clear_answers(lesson) -> None:
    for cell in lesson.cells:
        if cell.cell_type == "code" and (is_answer_cell(cell) or is_check(cell)):
            cell.outputs, cell.execution_count = [], None


def execute(nb, folder: Path, timeout: int = 600):
    """Run a notebook top to bottom in a fresh kernel, in `folder`; returns it with outputs."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    return nb


def _coalesce_streams(outputs):
    """Merge consecutive stream outputs of the same stream into one.

    How a cell's printed text is cut into stream messages depends on when the kernel
    flushes (a busy machine can split ``print``'s text from its newline); merged, the
    stored outputs are the same on every build.
    """
    merged = []
    for output in outputs:
        if (output.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == output.name):
            merged[-1].text += output.text
        else:
            merged.append(output)
    return merged


_VIEW = "application/vnd.jupyter.widget-view+json"
_STATE = "application/vnd.jupyter.widget-state+json"
_MODEL_ID = re.compile(r"[0-9a-f]{32}")


def _stable_widget_ids(text: str, name: str) -> str:
    """Renumber ipywidgets' random model ids deterministically.

    Widget state is stored so that an explorer's figure shows before anything runs,
    but its model ids are fresh UUIDs on every run, which would make every rebuild a
    diff.  Models are numbered in a fixed walk (each output's view, then the models
    it references) and given ids derived from the notebook's name and that number.
    """
    import hashlib
    import json

    import nbformat

    nb = json.loads(text)
    state = nb.get("metadata", {}).get("widgets", {}).get(_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id):
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        body = json.dumps(state[model_id].get("state", {}), sort_keys=True)
        for ref in re.findall(r"IPY_MODEL_([0-9a-f]{32})", body):
            visit(ref)

    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            visit(output.get("data", {}).get(_VIEW, {}).get("model_id"))
    rest = sorted((m for m in state if m not in order),
                  key=lambda m: json.dumps(state[m], sort_keys=True))
    mapping = {old: hashlib.md5(f"{name}:{i}".encode()).hexdigest()  # noqa: S324 - an id
               for i, old in enumerate([*order, *rest])}
    renamed = _MODEL_ID.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
    return nbformat.writes(nbformat.reads(renamed, as_version=4)) + "\n"  # keys re-sorted


def _write(nb, path: Path) -> None:
    import nbformat

    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    if _VIEW in text:
        text = _stable_widget_ids(text, path.name)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


#: Solution notebooks the build knows: numbered lessons, then appendices.
LESSON_GLOB, APPENDIX_GLOB = "[0-9][0-9]_*.ipynb", "appendix_*.ipynb"


def is_appendix(path) -> bool:
    """An appendix notebook (not graded, no exercises), by its file name."""
    return Path(path).name.startswith("appendix_")


def notebook_sources(root: Path | None = None) -> list[Path]:
    """The solution notebooks to build: lessons in order, then appendices."""
    folder = (root or repo_root()) / "solutions"
    return sorted(folder.glob(LESSON_GLOB)) + sorted(folder.glob(APPENDIX_GLOB))


def build(names: list[str] | None = None, *, execute_solutions: bool = True,
          root: Path | None = None) -> list[Path]:
    """Execute solutions, generate and execute lessons; returns the lesson paths written."""
    root = root or repo_root()
    sources = notebook_sources(root)
    if names:
        sources = [p for p in sources if any(p.name.startswith(n) or p.stem == n for n in names)]
        if not sources:
            raise SystemExit(f"No solution notebook matches {names}; see solutions/.")
    written = []
    for source in sources:
        started = time.perf_counter()
        solution = _read(source)
        if execute_solutions:
            solution = execute(solution, source.parent)
            _write(solution, source)
        lesson = execute(make_lesson(solution), root / "lessons")
        _clear_answers(lesson)
        target = root / "lessons" / source.name
        _write(lesson, target)
        (root / "follow").mkdir(exist_ok=True)
        _write(make_follow_along(solution), root / "follow" / source.name)
        written.append(target)
        print(f"built {source.name} -> lessons/ and follow/ in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return written


def solution_leaks(root: Path | None = None) -> list[str]:
    """Solution lines that appear anywhere in lessons/ or follow/ (should be an empty list).

    Each leak is reported as ``"NN_name.ipynb: line"`` (``"follow/NN_name.ipynb: line"`` for
    the follow-along copies).
    """
    root = root or repo_root()
    leaks = []
    for source in sorted((root / "solutions").glob("*.ipynb")):
        secret = {line for cell in _read(source).cells for line in solution_lines(cell.source)
                  if len(line) > 3 and not re.fullmatch(r"[\W_]+", line)}
        for prefix, folder in (("", "lessons"), ("follow/", "follow")):
            path = root / folder / source.name
            if not path.exists():
                continue
            for cell in _read(path).cells:
                for line in cell.source.splitlines():
                    if line.strip() in secret:
                        leaks.append(f"{prefix}{path.name}: {line.strip()}")
    return leaks

"""Build the course notebooks: solutions are the source, lessons are generated.

``python -m hiertools build`` does, for every ``solutions/NN_*.ipynb`` (the lessons) and
``solutions/appendix_*.ipynb`` (appendices: not graded, no exercises; ``build appendix``
builds them alone):

1. execute the solution from a fresh kernel and store its outputs;
2. generate the student copy: code between ``### BEGIN SOLUTION`` and
   ``### END SOLUTION`` becomes a stub that raises ``NotImplementedError`` with a
   message naming the exercise ("Exercise 2: replace this line with your answer, ...";
   tagged ``raises-exception``), the same markers in markdown become
   "*Your answer here.*", cells tagged ``check`` are kept for the learner to run
   but skipped by nbval (``nbval-skip``), and the outputs of both are cleared;
3. execute the student copy (proving that later cells never depend on an
   answer) and store it as ``lessons/NN_*.ipynb``, outputs included, so a
   self-study learner sees the expected figures and tables;
4. write the workshop's follow-along copy ``follow/NN_*.ipynb``: the markdown, the
   import cell, cells tagged ``setup`` and the check cells kept, each exercise cell
   reduced to its scaffold (the lines above the solution, e.g. ``answer = None``, so that
   Run All goes on and its check says "not answered"), every other code cell empty and
   no outputs -- the instructor types, the room types along.

Cell metadata (tags aside) is carried into both copies, so the alt text of a figure,
``metadata["mystnb"]["image"]["alt"]`` (MyST-NB's cell option), is written once, in
``solutions/``.

Every stored notebook is written by one function (``_write``) that makes it the same on
every build and the same as JupyterLab writes it back: the canonical kernelspec, widget
model ids renumbered, numbers that JSON cannot tell from integers written as integers,
and no timing (a progress bar's elapsed time and rate) in stored widget state.

The same transformation is used by the tests to prove ``lessons/`` is up to date.
The markers are nbgrader's, and exercise cells carry nbgrader cell metadata, so
``nbgrader generate_assignment`` also works on ``solutions/`` (it writes its own stub,
``raise NotImplementedError()``; ours only adds a message to the same exception).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import sys
import time
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
#: The stub's first line is nbgrader's; every stub's second line starts with STUB_RAISE.
STUB_COMMENT, STUB_RAISE = "# YOUR CODE HERE", "raise NotImplementedError("
MARKDOWN_STUB = "*Your answer here.*"
EXERCISE_TAG, CHECK_TAG, SETUP_TAG = "raises-exception", "check", "setup"
KERNEL = "python3"
#: What JupyterLab writes for the kernel the build runs (ipykernel's own kernelspec): every
#: stored notebook carries exactly this, so opening one in JupyterLab does not modify it.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
#: An exercise as the lesson's markdown names it: "**Exercise 2 — no pooling.**"
EXERCISE_LABEL = re.compile(r"\*\*(Exercise\s+\w+)")


def code_stub(label: str | None = None, check_below: bool = False) -> list[str]:
    """The lines that replace an exercise's solution in the student copy.

    >>> print(code_stub("Exercise 2", check_below=True)[1])
    raise NotImplementedError("Exercise 2: replace this line with your answer,
    then run the check below")
    >>> code_stub()
    ['# YOUR CODE HERE', 'raise NotImplementedError("Replace this line with your answer")']
    """
    what = f"{label}: replace" if label else "Replace"
    then = ", then run the check below" if check_below else ""
    return [STUB_COMMENT, f'{STUB_RAISE}"{what} this line with your answer{then}")']


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


def exercise_label(cells, index: int) -> str | None:
    """How the lesson names the code exercise ``cells[index]`` ("Exercise 2"), or None.

    The last bold ``**Exercise N`` in the markdown between the previous code exercise and
    this one: the exercise's own heading, which the lessons put just above its cell.
    """
    for cell in reversed(cells[:index]):
        if cell.cell_type == "code" and is_answer_cell(cell):
            break
        if cell.cell_type == "markdown":
            labels = EXERCISE_LABEL.findall(cell.source)
            if labels:
                return " ".join(labels[-1].split())
    return None


def make_lesson(solution):
    """Student copy of an (executed) solution notebook; not executed, input unchanged."""
    lesson = copy.deepcopy(solution)
    cells = lesson.cells
    for i, cell in enumerate(cells):
        if is_exercise(cell):
            if cell.cell_type == "code":
                check_below = i + 1 < len(cells) and is_check(cells[i + 1])
                cell.source = strip_solutions(
                    cell.source, code_stub(exercise_label(solution.cells, i), check_below))
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


def follow_along_scaffold(source: str) -> str:
    """An exercise cell of the follow-along copy: the lines above its solution, then a stub.

    The lines above the solution (``answer = None``) stay, so that Run All goes on and the
    check below says "not answered" instead of stopping at a NameError.  Unlike the lesson's
    stub it raises nothing (the room types the answer there with the instructor), and lines
    after the solution are left out: they may use the answer (``f"{answer:.2f}"``) and would
    fail on None.

    >>> follow_along_scaffold("answer = None\\n### BEGIN SOLUTION\\nanswer = 4\\n"
    ...                       "### END SOLUTION\\nprint(answer + 1)")
    'answer = None\\n# YOUR CODE HERE'
    >>> follow_along_scaffold("def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n"
    ...                       "    ### END SOLUTION")
    'def f(x):\\n    # YOUR CODE HERE\\n    pass'
    """
    lines = source.splitlines()
    begin = next((i for i, line in enumerate(lines) if line.strip() == BEGIN), None)
    if begin is None:
        raise ValueError(f"not an exercise cell (no {BEGIN}):\n{source}")
    strip_solutions(source, [])  # the same errors for unbalanced markers as the lessons
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    stub = [indent + STUB_COMMENT] + ([indent + "pass"] if indent else [])  # a valid block
    return "\n".join(lines[:begin] + stub)


def make_follow_along(solution):
    """The follow-along copy of a solution notebook: code cells to type into, no outputs."""
    follow = copy.deepcopy(make_lesson(solution))
    for cell, source in zip(follow.cells, solution.cells):
        if cell.cell_type != "code":
            continue
        if is_exercise(source):
            cell.source = follow_along_scaffold(source.source)
        elif not is_kept_in_follow_along(cell):
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
    # Not nbconvert's ClearOutputPreprocessor: it clears every cell, and only the exercise
    # and check cells are cleared here (the rest keep the outputs a learner should see).
    for cell in lesson.cells:
        if cell.cell_type == "code" and (is_answer_cell(cell) or is_check(cell)):
            cell.outputs, cell.execution_count = [], None


def kernel_encryption(manager_class) -> str | None:
    """``"auto"`` where `manager_class` can give its kernels CurveZMQ keys, else None.

    ipykernel 7.4 warns at every start of a kernel reached over TCP without encryption
    ("... susceptible to eavesdropping"), in the terminal of ``hiertools lab`` and of the
    build.  jupyter_client 8.9 and jupyter_server 2.20 can provision keys for kernels
    whose kernelspec declares it (ipykernel's does): their ``transport_encryption``
    setting, ``"auto"``.  Older releases have no such setting; pyzmq without libsodium
    has no Curve: then None, and kernels start as before.
    """
    import zmq  # installed with jupyter_client; only the build and the lab start kernels

    has_setting = "transport_encryption" in getattr(manager_class, "class_trait_names",
                                                    lambda: [])()
    return "auto" if has_setting and zmq.has("curve") else None


def execute(nb, folder: Path, timeout: int = 600):
    """Run a notebook top to bottom in a fresh kernel, in `folder`; returns it with outputs."""
    from jupyter_client.manager import AsyncKernelManager  # nbclient's; heavy, build only
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    encryption = kernel_encryption(AsyncKernelManager)
    km = (AsyncKernelManager(kernel_name=KERNEL, transport_encryption=encryption)
          if encryption else None)
    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=KERNEL,
                            record_timing=False, resources={"metadata": {"path": str(folder)}})
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
    stored outputs are the same on every build.  This is nbconvert's
    ``CoalesceStreamsPreprocessor`` (which also resolves carriage returns, as a terminal
    would; no stored output has one, so the notebooks came out byte-identical with it).
    nbclient's own ``coalesce_streams`` option is not used: it merges every stream output of
    a cell into its first, moving text printed after a figure above the figure.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor
    from nbformat import NotebookNode

    cell = NotebookNode(cell_type="code", outputs=copy.deepcopy(list(outputs)))
    return CoalesceStreamsPreprocessor().preprocess_cell(cell, {}, 0)[0].outputs


_VIEW = "application/vnd.jupyter.widget-view+json"
_STATE = "application/vnd.jupyter.widget-state+json"
_MODEL_ID = re.compile(r"[0-9a-f]{32}")
#: tqdm's "[elapsed<remaining, rate]" (its notebook bar writes "<" as "&lt;", and may write
#: the spaces as U+2007).
_PROGRESS_TIMING = re.compile(r"[\s\u2007]*\[\d+:\d\d(?::\d\d)?(?:<|&lt;)[^\]]*\]")


def _stable_widget_ids(text: str, name: str) -> str:
    """Renumber ipywidgets' random model ids deterministically.

    Widget state is stored so that an explorer's figure shows before anything runs,
    but its model ids are fresh UUIDs on every run, which would make every rebuild a
    diff.  Models are numbered in a fixed walk (each output's view, then the models
    it references) and given ids derived from the notebook's name and that number.
    """
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


def _json_numbers(value):
    """`value` with every integral float as an int, as a JSON round trip in a browser gives.

    JavaScript has one number type: JupyterLab reads ``21000.0`` and saves ``21000``, so a
    notebook stored with the float would be modified by merely opening it (the widget state
    ipywidgets stores, e.g. a slider's ``max``, is full of such floats).  The values are
    equal, so nothing that reads the notebook sees a difference.

    >>> _json_numbers({"max": 21000.0, "step": 0.5, "n": [1.0, 2, True, "3.0"]})
    {'max': 21000, 'step': 0.5, 'n': [1, 2, True, '3.0']}
    """
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if isinstance(value, dict):
        return type(value)((k, _json_numbers(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    return value


def _without_progress_timing(state: dict) -> dict:
    """Widget state without the elapsed time and rate of a progress bar (tqdm's).

    A finished bar's text reads ``21000/21000 [00:00<00:00, 25752.86it/s]``: the rate and
    the times change at every build.  The stored bar keeps its count (``21000/21000``);
    a learner who runs the cell sees tqdm's live bar, times included.

    >>> _without_progress_timing({"m": {"state": {"value": " 5/5 [00:01&lt;00:00, 3.21it/s]"}},
    ...                           "n": {"state": {"value": "sampling: 100%"}}})
    {'m': {'state': {'value': ' 5/5'}}, 'n': {'state': {'value': 'sampling: 100%'}}}
    """
    out = {}
    for model_id, model in state.items():
        body = dict(model.get("state", {}))
        value = body.get("value")
        if isinstance(value, str) and _PROGRESS_TIMING.search(value):
            body["value"] = _PROGRESS_TIMING.sub("", value)
        out[model_id] = {**model, "state": body}
    return out


def normalise(nb):
    """A copy of `nb` as it is stored: the same on every build and after JupyterLab saves it.

    The kernelspec is :data:`KERNELSPEC` (JupyterLab rewrites any other display name when it
    starts the kernel, and autosaves); integral floats are written as integers
    (:func:`_json_numbers`); progress bars' timings are dropped from the widget state
    (:func:`_without_progress_timing`).  Widget ids are renumbered by ``_write``.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    widgets = nb.metadata.get("widgets", {}).get(_STATE)
    if widgets and "state" in widgets:
        widgets["state"] = _without_progress_timing(widgets["state"])
    return nbformat.from_dict(_json_numbers(nb))


def _write(nb, path: Path) -> None:
    import nbformat

    nb = normalise(nb)
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

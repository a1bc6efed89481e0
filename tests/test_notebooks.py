"""lessons/ is exactly what `python -m hiertools build` makes of solutions/, and leaks nothing.

nbval (configured in pyproject.toml) re-executes every notebook in both folders and compares
the stored text outputs; these tests check the structure and the solution/lesson relation.
"""

import re
from pathlib import Path

import nbformat
import pytest

from hiertools import build

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = build.notebook_sources(ROOT)  # lessons, then appendices
NAMES = [p.name for p in SOLUTIONS]
# Appendices (e.g. "Coming from R") are built, nbval-tested and leak-checked like the lessons,
# but they have no exercises and are not lessons: exempt from the exercise rules and from the
# lesson structure (objectives, key points), and held to their own structure test instead.
LESSONS = [name for name in NAMES if not build.is_appendix(name)]
APPENDICES = [name for name in NAMES if build.is_appendix(name)]


def _read(path):
    return nbformat.read(path, as_version=4)


def _text_outputs(cell):
    """The parts of a code cell's outputs that nbval compares (text, not images).

    Consecutive stream outputs are joined, as nbval does: a kernel may deliver one print in
    several pieces, depending on load.
    """
    found = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            if found and found[-1][0] == "stream":
                found[-1] = ("stream", found[-1][1] + out.text)
                continue
            found.append(("stream", out.text))
        elif out.output_type in ("execute_result", "display_data"):
            found.append(("data", out.data.get("text/plain")))
        elif out.output_type == "error":
            found.append(("error", out.ename))
    return found


def test_there_are_solutions_and_matching_lessons():
    assert SOLUTIONS, "no solution notebooks found"
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
    assert lessons == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_lesson_is_generated_from_its_solution(name):
    solution, lesson = _read(ROOT / "solutions" / name), _read(ROOT / "lessons" / name)
    expected = build.make_lesson(solution)
    assert len(lesson.cells) == len(expected.cells)
    for got, want in zip(lesson.cells, expected.cells):
        assert (got.cell_type, got.source) == (want.cell_type, want.source), (
            f"{name}: lessons/ is out of date; run `python -m hiertools build`")
        assert got.metadata == want.metadata
        if got.cell_type != "code":
            continue
        if build.is_answer_cell(got) or build.is_check(got):
            assert got.outputs == [], f"{name}: outputs of exercise cells must be cleared"
        else:  # everything else is kept, and the student copy reproduces it
            assert _text_outputs(got) == _text_outputs(want), (
                f"{name}: a non-exercise cell's output differs from the solution's:\n{got.source}")
    assert lesson.metadata["hiertools"]["generated_from"].startswith("solutions/")


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_line_reaches_the_lesson(name):
    assert [leak for leak in build.solution_leaks(ROOT) if name in leak] == []
    for folder in ("lessons", "follow"):
        text = (ROOT / folder / name).read_text()
        assert build.BEGIN not in text and build.END not in text


def test_follow_along_copies_are_generated_from_their_solutions():
    assert sorted(p.name for p in (ROOT / "follow").glob("*.ipynb")) == NAMES
    for name in NAMES:
        solution, follow = _read(ROOT / "solutions" / name), _read(ROOT / "follow" / name)
        expected = build.make_follow_along(solution)
        assert [(c.cell_type, c.source, c.metadata) for c in follow.cells] == [
            (c.cell_type, c.source, c.metadata) for c in expected.cells], (
            f"follow/{name} is out of date; run `python -m hiertools build`")
        code = [(c, s) for c, s in zip(follow.cells, solution.cells) if c.cell_type == "code"]
        assert all(c.outputs == [] for c, _ in code)
        # an exercise cell keeps only the lines above its solution, so its check can run
        for cell, source in code:
            if build.is_exercise(source):
                above = source.source.split(build.BEGIN)[0].rstrip()
                assert cell.source.startswith(above) and build.STUB_COMMENT in cell.source
                assert build.STUB_RAISE not in cell.source, f"{name}: Run All would stop"
                assert not set(build.solution_lines(source.source)) & set(
                    line.strip() for line in cell.source.splitlines())
        kept = [c for c, s in code if c.source and not build.is_exercise(s)]
        assert sum("import hiertools" in c.source for c in kept) == 1
        assert all(build.is_kept_in_follow_along(c) for c in kept)
        assert len(kept) < len(code) / 2, f"{name}: most code cells are for the room to type"
        markdown = [c.source for c in solution.cells if c.cell_type == "markdown"]
        assert [c.source for c in follow.cells if c.cell_type == "markdown"] == [
            build.strip_solutions(m, None) if build.BEGIN in m else m for m in markdown]


def test_leak_detector_finds_a_leak(tmp_path):
    for folder in ("solutions", "lessons"):
        (tmp_path / folder).mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = None\n### BEGIN SOLUTION\nx = secret_answer(42)\n### END SOLUTION")])
    nbformat.write(nb, tmp_path / "solutions" / "01_t.ipynb")
    nb.cells.append(nbformat.v4.new_code_cell("y = 1\nx = secret_answer(42)"))
    nbformat.write(build.make_lesson(nb), tmp_path / "lessons" / "01_t.ipynb")
    assert build.solution_leaks(tmp_path) == ["01_t.ipynb: x = secret_answer(42)"]
    (tmp_path / "follow").mkdir()
    nbformat.write(build.make_lesson(nb), tmp_path / "follow" / "01_t.ipynb")
    assert build.solution_leaks(tmp_path) == ["01_t.ipynb: x = secret_answer(42)",
                                              "follow/01_t.ipynb: x = secret_answer(42)"]


def test_split_stream_outputs_are_merged_so_builds_are_deterministic():
    out = nbformat.v4.new_output
    outputs = [out("stream", name="stdout", text="tau = 1.0"),
               out("stream", name="stdout", text="\n"),
               out("stream", name="stderr", text="warning\n"),
               out("execute_result", data={"text/plain": "3"}, execution_count=1),
               out("stream", name="stdout", text="a\n")]
    merged = build._coalesce_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "tau = 1.0\n"), ("stream", "stderr", "warning\n"),
        ("execute_result", None, None), ("stream", "stdout", "a\n")]


def test_strip_solutions_keeps_indentation_and_rejects_unbalanced_markers():
    src = "def f():\n    a = 1\n    ### BEGIN SOLUTION\n    return a\n    ### END SOLUTION"
    assert build.strip_solutions(src, build.code_stub("Exercise 3")) == (
        "def f():\n    a = 1\n    # YOUR CODE HERE\n"
        '    raise NotImplementedError("Exercise 3: replace this line with your answer")')
    with pytest.raises(ValueError, match="without"):
        build.strip_solutions("### BEGIN SOLUTION\nx = 1", build.code_stub())
    with pytest.raises(ValueError, match="without"):
        build.follow_along_scaffold("x = None\n### BEGIN SOLUTION\nx = 1")


def test_stub_names_the_exercise_of_the_heading_above_it():
    new_code, new_md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell

    def exercise(name):
        cell = new_code(f"{name} = None\n### BEGIN SOLUTION\n{name} = 1\n### END SOLUTION")
        cell.metadata["nbgrader"] = {"solution": True}
        return cell

    check = new_code("ht.check('x', b)")
    check.metadata["tags"] = ["check"]
    nb = nbformat.v4.new_notebook(cells=[
        new_md("## 5 · Exercises\n\n**Exercise 2 — predict.** Guess."), exercise("a"),
        new_md("Exercise 4 asks for it.\n\n**Exercise  3b — more.** Then compute"),
        new_code("x = 1"), exercise("b"), check, exercise("c")])
    stubs = [c.source.splitlines()[-1] for c in build.make_lesson(nb).cells
             if build.STUB_RAISE in c.source]
    assert stubs == [
        'raise NotImplementedError("Exercise 2: replace this line with your answer")',
        'raise NotImplementedError("Exercise 3b: replace this line with your answer, '
        'then run the check below")',
        # no heading between the previous exercise and this one: no number to give
        'raise NotImplementedError("Replace this line with your answer")']


@pytest.mark.parametrize("name", LESSONS)
def test_exercises_have_stubs_checks_and_nbgrader_metadata(name):
    solution, lesson = _read(ROOT / "solutions" / name), _read(ROOT / "lessons" / name)
    exercises = [c for c in solution.cells if build.is_exercise(c)]
    code_exercises = [c for c in exercises if c.cell_type == "code"]
    assert len(code_exercises) >= 3, f"{name}: at least 3 exercises"
    for cell in exercises:
        meta = cell.metadata["nbgrader"]
        assert meta["solution"] is True and meta["schema_version"] == 3 and meta["grade_id"]
    stubs = [c for c in lesson.cells
             if c.cell_type == "code" and build.STUB_RAISE in c.source]
    assert len(stubs) == len(code_exercises)
    assert all("raises-exception" in c.metadata["tags"] for c in stubs)
    # each stub says which exercise it is, as the bold heading just above it names it, and
    # the lessons number their code exercises 1, 2, 3... in order
    for k, cell in enumerate(stubs, start=1):
        i = lesson.cells.index(cell)
        heading = re.findall(r"\*\*Exercise (\w+)", lesson.cells[i - 1].source)
        assert heading and heading[-1] == str(k), (name, k, lesson.cells[i - 1].source[:80])
        assert (f'raise NotImplementedError("Exercise {k}: replace this line with your answer, '
                f'then run the check below")') in cell.source.splitlines(), cell.source
    for i, cell in enumerate(solution.cells):  # every code exercise is followed by its check
        if cell in code_exercises:
            follower = solution.cells[i + 1]
            assert build.is_check(follower) and "ht.check(" in follower.source
            assert "nbval-skip" in lesson.cells[i + 1].metadata["tags"]


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_the_course_structure(name):
    nb = _read(ROOT / "solutions" / name)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].source.startswith(f"# {name[:2]} ·")
    for heading in ("Learning objectives", "Prerequisites", "Time", "## Key points",
                    "## Going further"):
        assert heading in text, f"{name}: missing {heading!r}"
    objectives = re.search(r"Learning objectives.*?\n((?:- .*\n(?:  .*\n)*)+)", text).group(1)
    assert 3 <= len(re.findall(r"^- ", objectives, flags=re.M)) <= 5
    key_points = text.split("## Key points")[1].split("##")[0]
    assert 3 <= len(re.findall(r"^- ", key_points, flags=re.M)) <= 6
    imports = [c for c in nb.cells if c.cell_type == "code" and "import hiertools" in c.source]
    assert len(imports) == 1, f"{name}: one import cell"
    for cell in nb.cells:  # every figure is drawn then shown; no stray reprs under nbval
        if cell.cell_type == "code" and "plt.subplots" in cell.source:
            assert cell.source.rstrip().endswith("plt.show()"), cell.source


def test_appendices_are_known_and_only_appendices_are_exempt():
    assert APPENDICES == ["appendix_coming_from_r.ipynb"]
    assert all(re.fullmatch(r"\d\d_\w+\.ipynb", name) for name in LESSONS)


@pytest.mark.parametrize("name", APPENDICES)
def test_appendix_structure_no_exercises_one_import(name):
    nb = _read(ROOT / "solutions" / name)
    assert nb.cells[0].source.startswith("# Appendix ·")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Prerequisites", "Time", "## Going further"):
        assert heading in text, f"{name}: missing {heading!r}"
    assert not any(build.BEGIN in c.source or c.metadata.get("nbgrader") or build.is_check(c)
                   for c in nb.cells), f"{name}: an appendix has no exercises or graded cells"
    imports = [c for c in nb.cells if c.cell_type == "code" and "import hiertools" in c.source]
    assert len(imports) == 1, f"{name}: one import cell"
    for cell in nb.cells:
        if cell.cell_type == "code" and "plt.subplots" in cell.source:
            assert cell.source.rstrip().endswith("plt.show()"), cell.source


def test_appendix_quotes_the_published_lme4_values_and_the_seed_snippets():
    """Quoted lme4 numbers are the recorded published ones; R and Julia snippets are verbatim."""
    import json

    nb = _read(ROOT / "solutions" / "appendix_coming_from_r.ipynb")
    source = "\n".join(c.source for c in nb.cells)
    reference = ROOT / "tests" / "data" / "lme4_reference.json"
    published = json.loads(reference.read_text())["published"]
    barr = published["sleepstudy_slopes_REML_barr"]["values"]
    varcorr = published["sleepstudy_slopes_REML_varcorr"]["values"]
    quoted = [*barr["fixed_effects"], *varcorr["group_sd"], varcorr["group_corr"],
              varcorr["sigma"], barr["reml_criterion"],
              *published["radon_floor_REML_course"]["values"]["fixed_effects"],
              *published["sleepstudy_intercepts_REML_varcorr"]["values"]["group_sd"],
              published["sleepstudy_intercepts_REML_varcorr"]["values"]["sigma"]]
    for value in quoted:
        assert re.search(rf"(?<![\d.]){re.escape(repr(value))}0*(?!\d)", source), value
    for line in ("n <- sample(3:60, J, replace = TRUE)", "shrunk <- grand + w * (raw - grand)",
                 "n = rand(3:60, J)", "true_a = 5 .+ 1.6 .* randn(J)"):
        assert line in source
    seed_cell = next(c for c in nb.cells if c.cell_type == "code" and "default_rng(1)" in c.source)
    block = "5.038\n4 6.99 5.85 0.42\n11 6.79 6.2 0.66\n17 4.1 4.33 0.75\n"
    assert [o.text for o in seed_cell.outputs if o.output_type == "stream"] == [block]


@pytest.mark.parametrize("name", LESSONS)
def test_time_header_is_the_sum_of_the_section_minutes(name):
    text = "\n".join(c.source for c in _read(ROOT / "solutions" / name).cells
                     if c.cell_type == "markdown")
    total = int(re.search(r"\*\*Time:\*\* about (\d+) minutes", text).group(1))
    sections = [int(m) for m in re.findall(r"^## \d+ · .* · (\d+) min\s*$", text, flags=re.M)]
    assert sections and sum(sections) == total, (name, total, sections)


def test_lesson_01_prints_the_seed_block_in_both_versions():
    block = "5.038\n4 6.99 5.85 0.42\n11 6.79 6.2 0.66\n17 4.1 4.33 0.75\n"
    for folder in ("solutions", "lessons"):
        nb = _read(ROOT / folder / "01_three_ways.ipynb")
        seed_cell = next(c for c in nb.cells
                         if c.cell_type == "code" and "default_rng(1)" in c.source)
        assert [o.text for o in seed_cell.outputs if o.output_type == "stream"] == [block]
        assert "# e.g. 4 8.03 5.28 0.19" in seed_cell.source  # verbatim, wrong comments included


def test_widget_ids_are_renumbered_deterministically():
    """Two runs give different random widget ids; the stored notebooks must not differ."""
    import json

    def notebook(box, child, other):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("ht.pooling_explorer()",
                                                                       id="c000")])
        nb.cells[0].outputs = [nbformat.v4.new_output(
            "display_data", data={"text/plain": "<explorer>",
                                  build._VIEW: {"version_major": 2, "version_minor": 0,
                                                "model_id": box}})]
        nb.metadata["widgets"] = {build._STATE: {"version_major": 2, "version_minor": 0, "state": {
            box: {"model_name": "VBoxModel", "state": {"children": [f"IPY_MODEL_{child}"]}},
            child: {"model_name": "ImageModel", "state": {"value": "png"}},
            other: {"model_name": "LayoutModel", "state": {"width": "520px"}}}}}
        return nbformat.writes(nb)

    first = build._stable_widget_ids(notebook("a" * 32, "b" * 32, "c" * 32), "01_x.ipynb")
    second = build._stable_widget_ids(notebook("f" * 32, "0" * 32, "9" * 32), "01_x.ipynb")
    assert first == second
    state = json.loads(first)["metadata"]["widgets"][build._STATE]["state"]
    view = json.loads(first)["cells"][0]["outputs"][0]["data"][build._VIEW]["model_id"]
    assert state[view]["state"]["children"][0].removeprefix("IPY_MODEL_") in state


@pytest.mark.parametrize("name", NAMES)
def test_nbgrader_cell_metadata_follows_its_schema(name):
    """nbgrader (schema 3) accepts the solutions: checked here without installing nbgrader.

    Rules from nbgrader's v3 validator: code solution cells are solution cells; markdown
    solution cells must also be (manually) graded cells with points; grade_ids are unique.
    """
    ids = []
    for cell in _read(ROOT / "solutions" / name).cells:
        meta = cell.metadata.get("nbgrader")
        if build.BEGIN in cell.source:
            assert meta and meta["solution"] is True, cell.source[:60]
        if not meta:
            continue
        assert meta["schema_version"] == 3 and meta["grade_id"]
        ids.append(meta["grade_id"])
        if cell.cell_type == "markdown" and meta["solution"]:
            assert meta["grade"] is True and meta["points"] > 0, (
                f"{name}: nbgrader needs markdown answers to be graded cells: {cell.source[:60]}")
        if meta.get("grade"):
            assert meta.get("points", 0) > 0
    assert len(ids) == len(set(ids)), f"{name}: duplicate grade_id"


# --------------------------------------------------------------------------- stored = stable
STORED = [f"{folder}/{name}" for folder in ("solutions", "lessons", "follow") for name in NAMES]


@pytest.mark.parametrize("path", STORED)
def test_stored_notebook_has_the_kernelspec_jupyterlab_writes(path):
    """JupyterLab rewrites any other kernelspec when it starts the kernel, then autosaves."""
    nb = _read(ROOT / path)
    assert nb.metadata["kernelspec"] == build.KERNELSPEC
    info = nb.metadata["language_info"]
    # what ipykernel reports (as nbclient stored it), from one Python for the whole course
    assert {k: v for k, v in info.items() if k != "version"} == {
        "name": "python", "mimetype": "text/x-python", "file_extension": ".py",
        "codemirror_mode": {"name": "ipython", "version": 3}, "pygments_lexer": "ipython3",
        "nbconvert_exporter": "python"}
    first = _read(ROOT / STORED[0]).metadata["language_info"]["version"]
    assert re.fullmatch(r"3\.\d+\.\d+", info["version"]) and info["version"] == first


def test_kernelspec_is_the_installed_kernels():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(build.KERNEL)
    assert (spec.display_name, spec.language) == (build.KERNELSPEC["display_name"],
                                                  build.KERNELSPEC["language"])


def _integral_floats(text: str) -> list[str]:
    """Numbers written as floats with an integral value (JupyterLab saves 21000.0 as 21000)."""
    import json

    found = []

    def parse_float(token):
        if float(token).is_integer():
            found.append(token)
        return float(token)

    json.loads(text, parse_float=parse_float)
    return found


@pytest.mark.parametrize("path", STORED)
def test_stored_notebook_has_no_number_a_browser_would_rewrite(path):
    assert _integral_floats((ROOT / path).read_text(encoding="utf-8")) == []


# tqdm's "[elapsed<remaining, rate]" once a bar has moved, and any rate (it/s, s/it)
TIMING = re.compile(r"\[\d+:\d\d(:\d\d)?(<|&lt;)\d|\d(\.\d+)?\s*[kMG]?(it/s|s/it)")


@pytest.mark.parametrize("path", STORED)
def test_stored_notebook_holds_no_timing(path):
    """Nothing that changes with the machine's speed: every build would be a diff."""
    import json

    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    found = TIMING.findall(json.dumps(nb["metadata"], ensure_ascii=False))
    for i, cell in enumerate(nb["cells"]):
        assert "execution" not in cell["metadata"], (path, i)  # nbclient's timestamps
        for out in cell.get("outputs", []):
            text = {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            found += TIMING.findall(json.dumps([text, out.get("text", "")], ensure_ascii=False))
    assert found == [], f"{path}: timing-dependent text in stored outputs or widget state"


def test_timing_check_sees_a_tqdm_bar():
    assert TIMING.search("\u200721000/21000\u2007[00:00<00:00,\u200725752.86it/s]")
    assert TIMING.search("5/5 [00:12<00:00, 2.41s/it]")
    assert TIMING.search(" 21000/21000 [00:02&lt;00:00, 9241.04it/s]")  # as the widget stores it
    assert TIMING.search("[01:02&lt;00:10, ?it/s]")
    assert not TIMING.search("reaction times from 194 to 466 ms; 18 subjects x 10 days")


def test_normalise_gives_the_kernelspec_integers_and_no_progress_timing():
    """Against a notebook as nbclient leaves it after a run with a tqdm bar."""
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "widgets": {build._STATE: {"version_major": 2, "version_minor": 0, "state": {
            "a" * 32: {"model_name": "FloatProgressModel",
                       "state": {"max": 21000.0, "min": 0.0, "value": 21000.0}},
            "b" * 32: {"model_name": "HTMLModel", "state": {
                "value": "\u200721000/21000\u2007[00:01&lt;00:00,\u200720512.07it/s]"}},
            "c" * 32: {"model_name": "HTMLModel", "state": {
                "value": "sampling (4 chains): 100%"}}}}}})
    nb.cells = [nbformat.v4.new_code_cell("x", metadata={"mystnb": {"image": {"width": 4.0}}})]
    before = nbformat.writes(nb)
    out = build.normalise(nb)
    assert nbformat.writes(nb) == before  # the input is not modified
    assert out.metadata.kernelspec == build.KERNELSPEC
    state = out.metadata.widgets[build._STATE]["state"]
    assert state["a" * 32]["state"] == {"max": 21000, "min": 0, "value": 21000}
    assert all(type(v) is int for v in state["a" * 32]["state"].values())
    assert state["b" * 32]["state"]["value"] == "\u200721000/21000"
    assert state["c" * 32]["state"]["value"] == "sampling (4 chains): 100%"
    assert type(out.cells[0].metadata["mystnb"]["image"]["width"]) is int
    assert _integral_floats(nbformat.writes(out)) == []
    assert not TIMING.search(nbformat.writes(out))


# --------------------------------------------------------------------------- figures: alt text
# Every figure has alt text in metadata["mystnb"]["image"]["alt"] (tests/test_figure_alt_text.py);
# written once, in solutions/, it must reach the lessons/ and follow/ copies.


def test_build_carries_cell_metadata_into_lessons_and_follow_along():
    alt = {"image": {"alt": "Raw rates of the twelve districts pulled toward the mean."}}
    exercise = nbformat.v4.new_code_cell("a = None\n### BEGIN SOLUTION\na = 1\n### END SOLUTION",
                                         metadata={"nbgrader": {"solution": True},
                                                   "mystnb": alt})
    figure = nbformat.v4.new_code_cell("plt.show()", metadata={"mystnb": alt, "tags": ["setup"]})
    plain = nbformat.v4.new_code_cell("x = 1", metadata={"mystnb": alt})
    nb = nbformat.v4.new_notebook(cells=[figure, exercise, plain])
    for copy in (build.make_lesson(nb), build.make_follow_along(nb)):
        assert [c.metadata["mystnb"] for c in copy.cells] == [alt] * 3


@pytest.mark.parametrize("name", NAMES)
def test_stored_copies_keep_the_solutions_alt_text(name):
    cells = {folder: _read(ROOT / folder / name).cells
             for folder in ("solutions", "lessons", "follow")}
    for i, cell in enumerate(cells["solutions"]):
        if "mystnb" in cell.metadata:
            assert cells["lessons"][i].metadata["mystnb"] == cell.metadata["mystnb"], (name, i)
            assert cells["follow"][i].metadata["mystnb"] == cell.metadata["mystnb"], (name, i)


# --------------------------------------------------------------------------- heavy: executing
def _run_collecting_errors(nb, folder):
    """Run all cells in a fresh kernel, as Run All does (raises-exception cells do not stop it)."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name=build.KERNEL, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_follow_along_notebook_runs_top_to_bottom_without_an_error(name):
    """Run All on the room's copy: every check says "not answered" and nothing stops it."""
    nb = _read(ROOT / "follow" / name)
    assert _run_collecting_errors(nb, ROOT / "follow") == []
    checks = [c for c in nb.cells if build.is_check(c)]
    assert all("NOT ANSWERED" in str(c.outputs) or "not answered" in str(c.outputs)
               for c in checks), name


@pytest.mark.slow
def test_building_twice_gives_the_same_bytes(tmp_path):
    """The whole build of one notebook (solution, lesson, follow-along), twice, byte for byte.

    The appendix, the fastest notebook with figures; lesson 05's stored tqdm bar (its rate)
    was the last thing that changed between builds, tested in the next test.
    """
    name = "appendix_coming_from_r.ipynb"
    for folder in ("solutions", "lessons", "follow"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "solutions" / name).write_bytes((ROOT / "solutions" / name).read_bytes())
    builds = []
    for _ in range(2):
        build.build([name[:-6]], root=tmp_path)
        builds.append({f: (tmp_path / f / name).read_bytes() for f in ("solutions", "lessons",
                                                                       "follow")})
    assert builds[0] == builds[1]


@pytest.mark.slow
def test_lesson_05_with_its_progress_bar_executes_to_the_same_bytes(tmp_path):
    """Lesson 05 runs a tqdm bar (a widget): executed twice, its stored copy is the same."""
    name = "05_fully_bayesian.ipynb"
    solution = _read(ROOT / "solutions" / name)
    written = []
    for run in range(2):
        path = tmp_path / str(run) / name
        path.parent.mkdir()
        build._write(build.execute(solution, ROOT / "solutions"), path)
        written.append(path.read_bytes())
    assert b"FloatProgressModel" in written[0]  # the bar is there, without its timing
    assert written[0] == written[1]

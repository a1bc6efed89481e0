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
        code = [c for c in follow.cells if c.cell_type == "code"]
        assert all(c.outputs == [] for c in code)
        kept = [c for c in code if c.source]
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
    assert build.strip_solutions(src, build.CODE_STUB) == (
        "def f():\n    a = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    with pytest.raises(ValueError, match="without"):
        build.strip_solutions("### BEGIN SOLUTION\nx = 1", build.CODE_STUB)


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
             if c.cell_type == "code" and "raise NotImplementedError()" in c.source]
    assert len(stubs) == len(code_exercises)
    assert all("raises-exception" in c.metadata["tags"] for c in stubs)
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
    published = json.loads((ROOT / "tests" / "data" / "lme4_reference.json").read_text())["published"]
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
        seed_cell = next(c for c in nb.cells if c.cell_type == "code" and "default_rng(1)" in c.source)
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

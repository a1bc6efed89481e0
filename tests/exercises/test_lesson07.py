"""Lesson 07's graded checks: right answers pass (rounded as stated), typical mistakes are named,
the notebook's points table matches its nbgrader metadata.

Right answers are recomputed here without hiertools' estimators: hyperparameters by a
Nelder-Mead fit of scipy's betabinom / nbinom likelihoods, limits from scipy's binomial,
P(H > B) by a trapezoid rule on a fine grid.
"""

import math
import re

import numpy as np
from scipy import optimize, stats

import hiertools as ht
from hiertools.exercises import lesson07
from tests.exercises.support import (
    _notebook,
    assert_exercises_state_their_precision,
    assert_feedback_never_reveals,
    assert_right_answers_pass,
    notebook_calls,
)

NOTEBOOK = "07_ranking_hospitals.ipynb"
S = ht.load("surgical").set_index("hospital")
R, N = S["deaths"].to_numpy(), S["operations"].to_numpy()


def _fit(loglik, start):
    res = optimize.minimize(lambda x: -loglik(*np.exp(x)), np.log(start), method="Nelder-Mead",
                            options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20_000})
    return np.exp(res.x)


ALPHA, BETA = _fit(lambda a, b: stats.betabinom.logpmf(R, N, a, b).sum(), [2.0, 30.0])
LIP = ht.load("lip_cancer").set_index("district")
E = LIP["person_years"] * LIP["cases"].sum() / LIP["person_years"].sum()
SHAPE, RATE = _fit(lambda a, b: stats.nbinom.logpmf(LIP["cases"], a, b / (b + E)).sum(),
                   [3.0, 3.0])


def _outside(level):
    p = R.sum() / N.sum()
    count = 0
    for r, n in zip(R, N):
        limits = []
        for q in ((1 - level) / 2, (1 + level) / 2):
            rp = stats.binom.ppf(q, n, p)
            a = (stats.binom.cdf(rp, n, p) - q) / stats.binom.pmf(rp, n, p)
            limits.append((rp - a) / n)
        count += not limits[0] <= r / n <= limits[1]
    return count


def _p_h_above_b():
    t = np.linspace(0, 0.5, 400_001)
    h = stats.beta(ALPHA + 31, BETA + 215 - 31)
    b = stats.beta(ALPHA + 18, BETA + 148 - 18)
    return np.trapezoid(h.pdf(t) * b.cdf(t), t)


RIGHT_ANSWERS = {
    "07-outside": _outside(0.95),
    "07-weight-a": 47 / (ALPHA + BETA + 47),
    "07-a-below": stats.beta.cdf(0.05, ALPHA, BETA + 47),
    "07-h-above-b": _p_h_above_b(),
    "07-zero-cases": (SHAPE + 0) / (RATE + E["Tweeddale"]),
}


def test_reference_values_are_what_the_lesson_says():
    assert RIGHT_ANSWERS["07-outside"] == 4 and _outside(0.998) == 1
    assert round(RIGHT_ANSWERS["07-weight-a"], 2) == 0.30
    assert round(RIGHT_ANSWERS["07-h-above-b"], 2) == 0.77
    assert LIP.loc["Tweeddale", "cases"] == 0 and round(RIGHT_ANSWERS["07-zero-cases"], 2) == 0.63


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)


def test_typical_mistakes_are_named():
    assert "99.8%" in ht.check("07-outside", 1).message
    assert "below" in ht.check("07-outside", 3).message
    # 5 counts hospital A (0/47), which sits where the lower limit begins: explained
    five = ht.check("07-outside", 5).message
    assert "hospital A" in five and "0.027" in five and "inside" in five
    w = RIGHT_ANSWERS["07-weight-a"]
    assert "weight of the prior" in ht.check("07-weight-a", 1 - w).message
    assert "percentage" in ht.check("07-weight-a", 100 * w).message
    p = RIGHT_ANSWERS["07-a-below"]
    assert "P(theta > 5%)" in ht.check("07-a-below", 1 - p).message
    assert "prior probability" in ht.check(
        "07-a-below", stats.beta.cdf(0.05, ALPHA, BETA)).message
    assert "flat" in ht.check("07-a-below", stats.beta.cdf(0.05, 1, 48)).message
    assert "between 0 and 1" in ht.check("07-a-below", 46.9).message
    q = RIGHT_ANSWERS["07-h-above-b"]
    assert "swap" in ht.check("07-h-above-b", 1 - q).message
    assert "coin toss" in ht.check("07-h-above-b", 0.5).message
    assert "raw SMR" in ht.check("07-zero-cases", 0).message
    assert "prior mean itself" in ht.check("07-zero-cases", SHAPE / RATE).message
    weight = E["Tweeddale"] / (RATE + E["Tweeddale"])
    assert "weight w" in ht.check("07-zero-cases", weight).message


def test_a_monte_carlo_answer_with_the_stated_draws_passes():
    """A learner's own simulation (any seed, 100,000 draws) rounds to the right value."""
    misses = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        h = rng.beta(ALPHA + 31, BETA + 184, size=100_000)
        b = rng.beta(ALPHA + 18, BETA + 130, size=100_000)
        misses += not ht.check("07-h-above-b", (h > b).mean())
    assert misses <= 1


def test_a_monte_carlo_answer_rounded_to_two_decimals_passes():
    """Rounded to the 2 decimals the exercise asks for, a right simulation with 100,000 draws
    can give 0.76 as well as 0.77 (the exact value, 0.767, is 1.8 Monte Carlo standard
    errors from 0.765): both pass, for every seed; answers 0.01 further off do not."""
    rounded = set()
    for seed in range(200):
        rng = np.random.default_rng(seed)
        h = rng.beta(ALPHA + 31, BETA + 184, size=100_000)
        b = rng.beta(ALPHA + 18, BETA + 130, size=100_000)
        answer = round(float((h > b).mean()), 2)
        rounded.add(answer)
        assert ht.check("07-h-above-b", answer), (seed, answer)
    assert rounded == {0.76, 0.77}
    assert not ht.check("07-h-above-b", 0.75) and not ht.check("07-h-above-b", 0.78)


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {"07-weight-a": 0.9, "07-a-below": 0.9,
                                                  "07-h-above-b": 0.1, "07-zero-cases": 2.0})


# --- the notebook -------------------------------------------------------------------------------

def test_notebook_states_precision_and_uses_the_lessons_data():
    assert_exercises_state_their_precision(NOTEBOOK)
    assert (("surgical",), {}) in notebook_calls(NOTEBOOK, "load")
    assert (("lip_cancer",), {}) in notebook_calls(NOTEBOOK, "load")


def _check_cells():
    return [c for c in _notebook(NOTEBOOK).cells if "check" in c.metadata.get("tags", [])]


def test_check_cells_are_the_autograder_tests():
    """Each check cell is an nbgrader test cell; ht.check is strict under nbgrader only, so a
    learner working alone gets the feedback box, never a traceback."""
    checks = _check_cells()
    assert len(checks) == 5
    for cell in checks:
        key = re.fullmatch(r'ht\.check\("(07-[\w-]+)", answer\)', cell.source.strip()).group(1)
        meta = cell.metadata["nbgrader"]
        assert meta == {"grade": True, "grade_id": f"check-{key}", "points": meta["points"],
                        "locked": True, "solution": False, "schema_version": 3, "task": False}
        assert "raises-exception" not in cell.metadata["tags"]


def test_points_table_matches_the_nbgrader_points():
    nb = _notebook(NOTEBOOK)
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert graded == lesson07.POINTS
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    after = text.split("**Points**")[1]
    table = after[after.index("\n|"):].split("\n\n")[0]  # the first table after "Points"
    rows = re.findall(r"^\|\s*(\d+)\s*\|[^|]*\|\s*`([\w-]+)`\s*\|\s*(\d+)\s*\|", table, flags=re.M)
    assert {grade_id: int(points) for _, grade_id, points in rows} == graded
    total = re.search(r"\|\s*\*\*total\*\*\s*\|[^|]*\|\s*\*\*(\d+)\*\*", table)
    assert int(total.group(1)) == sum(graded.values())


def test_the_printed_expected_number_outside_is_exact():
    """The lesson's 'expected by chance' column: exact binomial tail probabilities, summed."""
    p = R.sum() / N.sum()
    cell = next(c for c in _notebook(NOTEBOOK).cells
                if c.cell_type == "code" and "expected by chance" in c.source)
    printed = cell.outputs[0].data["text/plain"]
    for level in (0.95, 0.998):
        total = 0.0
        for n in N:
            lower, upper = ht.funnel_limits(int(n), p, level)
            total += sum(math.comb(int(n), k) * p**k * (1 - p) ** (n - k)
                         for k in range(int(n) + 1) if not lower <= k / n <= upper)
        assert f"{total:.3f}" in printed


def test_the_text_says_check_cells_give_feedback_and_grade_only_under_nbgrader():
    """ht.check raises only under nbgrader (NBGRADER_EXECUTION): the lesson must not tell a
    learner working alone that a check cell raises, nor ask for strict=True."""
    nb = _notebook(NOTEBOOK)
    text = " ".join(" ".join(c.source for c in nb.cells if c.cell_type == "markdown").split())
    assert "raises an error" not in text and "raise an error" not in text
    assert not any(re.search(r"\bstrict\s*=", c.source) for c in nb.cells)
    assert "check cell for feedback" in text and "the autograder's test" in text


def test_each_belief_is_made_wrong_with_the_numbers_the_lesson_prints():
    """Section 9's numbers are the ones the cells print (P(best) of A and E, P(worst) of H, under
    the plug-in and the fully Bayesian fit; the share of simulated worlds whose raw worst is truly
    worst; P(theta_H > theta_L) and the interval of the difference)."""
    nb = _notebook(NOTEBOOK)
    printed = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                        for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    table = next(c.source for c in nb.cells if "Three beliefs" in c.source)
    for shown, quoted in (("A              0          47   0.3646", "A is the best in only 36%"),
                          ("E              8         211   0.3530", "E, with 8 deaths, in 35%"),
                          ("P(best): A                      0.3646            0.4594",
                           "46% of the fully Bayesian draws"),
                          ("P(best): E                      0.3530            0.2992",
                           "(E in 30%)"),
                          ("H                 0.1216        0.0182    0.6261",
                           "63% of the plug-in"),
                          ("P(worst): H                     0.6261            0.6239",
                           "(62% fully Bayesian)"),
                          ("truly the worst:    48.2%", "in only 48%"),
                          ("P(theta_H > theta_L) = 0.994", "99.4% of the draws"),
                          ("P(theta_H > theta_L)            0.9937            0.9936",
                           "99.4% of the draws (under both fits)"),
                          ("95% interval of the difference: 0.011 to 0.096",
                           "1.1 to 9.6 percentage points")):
        assert shown in printed, shown
        assert quoted in table, quoted


def _printed(nb):
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_plug_in_against_fully_bayesian_quotes_the_printed_numbers():
    """Section 5 (and section 2's widened funnel): each number of the prose next to the
    output it is read from."""
    nb = _notebook(NOTEBOOK)
    printed = _printed(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for shown, quoted in (
            ("widened by sqrt(phi) = 1.79       1           H",
             "Only H stays outside the widened 95%"),
            ("widened by sqrt(phi) = 1.79       0        none",
             "no hospital is outside the widened 99.8%"),
            ("alpha+beta: median 73.52, 95% interval 16.76 to 346.9", "a median of 74"),
            ("A: 95% interval       0.0238 to 0.0936  0.0082 to 0.0940",
             "runs from 0.8%, not 2.4%"),
            ("A: P(rate < 5%)             exercise 3            0.5663",
             "from your plug-in answer to exercise 3 to 0.57"),
            ("A: posterior mean               0.0533            0.0472", "posterior mean, 4.7%"),
            ("E: posterior mean               0.0510            0.0492", "below E's, 4.9%"),
            ("H: 95% interval       0.0883 to 0.1593  0.0867 to 0.1722",
             "at\n  17.2% instead of 15.9%"),
            ("from 1.03 (D) to 1.23 (A)", "by 3% (D) to 23% (A)"),
            ("plug-in:        A: P(rank <= 3) = 0.0247", "(0.0247 against 0.025)"),
            ("fully Bayesian: I: P(rank <= 11) = 0.9751",
             "P(rank ≤ 11) = 0.9751, lies within one")):
        assert shown in printed, shown
        assert quoted in text, quoted


def test_no_exercise_answer_is_printed_outside_its_exercise():
    """The student copy stores every output but the exercises' (and lesson 07 is graded): no
    other cell may print an answer of exercises 2-4, or a number the check would accept in its
    place. Section 3's table of A's posterior once showed the weight (exercise 2), section 5's
    side-by-side table P(theta_A < 5%) (exercise 3) and both fits' P(theta_H > theta_B)
    (exercise 4), the fully Bayesian one within the check's Monte Carlo window."""
    import nbformat

    from hiertools.build import repo_root

    nb = nbformat.read(repo_root() / "lessons" / NOTEBOOK, as_version=4)
    fit = lesson07.surgical_fit("ML")   # the fit the checks use, labelled A-L
    answers = {"07-weight-a": 47 / (fit.alpha + fit.beta + 47),
               "07-a-below": stats.beta.cdf(0.05, fit.alpha, fit.beta + 47),
               "07-h-above-b": lesson07.p_first_above_second(fit, "H", "B")}
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "check" in cell.metadata.get("tags", []):
            continue
        text = "".join(o.get("text", "") + "".join(o.get("data", {}).get(k, "")
                                                   for k in ("text/plain", "text/html"))
                       for o in cell.outputs)
        for exercise, answer in answers.items():
            for digits in (3, 4):
                if f"{answer:.{digits}f}" in text:
                    shown.append((exercise, f"{answer:.{digits}f}", cell.source[:60]))
        if "theta_H > theta_B" in text:
            shown.append(("07-h-above-b", "a printed P(theta_H > theta_B)", cell.source[:60]))
    assert not shown, shown


def test_every_figure_has_alt_text():
    """Each cell that draws a figure carries its alt text once, in MyST-NB's cell metadata."""
    nb = _notebook(NOTEBOOK)
    figures = [c for c in nb.cells if c.cell_type == "code"
               and any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert len(figures) == 8
    for cell in figures:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 15, cell.source[:80]


def test_slips_met_in_a_student_run_get_a_pointed_message():
    """Slips a learner made in JupyterLab (review r2-student-07): each gets its own message.

    Two hospitals sit almost on the lower 95% line (E 0.03 percentage points below it, D 0.1
    above), so a count by eye of 3 or 5 is a reading problem: the message says how to settle it.
    """
    three, five = ht.check("07-outside", 3).message, ht.check("07-outside", 5).message
    assert "ht.funnel_limits" in three and "ht.funnel_limits" in five
    assert five.startswith("if you counted hospital A")
    # CDF taken at 5 (per cent) instead of 0.05: gives 1.0
    at_five = stats.beta.cdf(5, ALPHA, BETA + 47)
    assert at_five == 1.0 and "0.05" in ht.check("07-a-below", at_five).message
    # A's 47 operations added to alpha (deaths) instead of beta (survivals): about 0
    swapped = ht.check("07-a-below", stats.beta.cdf(0.05, ALPHA + 47, BETA)).message
    assert "survivals" in swapped and "beta" in swapped
    # P(B > H) from a small simulation: a few Monte Carlo errors from 1 - q, still a swap
    q = RIGHT_ANSWERS["07-h-above-b"]
    for value in (1 - q + 0.012, 1 - q - 0.02):
        assert "swap" in ht.check("07-h-above-b", value).message
    assert "swap" not in ht.check("07-h-above-b", 0.6).message
    # gamma-Poisson: alpha and beta swapped
    wrong = (RATE + 0) / (SHAPE + E["Tweeddale"])
    assert "swapped" in ht.check("07-zero-cases", wrong).message


def test_written_answer_says_where_to_write_and_how_it_is_graded():
    nb = _notebook(NOTEBOOK)
    text = next(c.source for i, c in enumerate(nb.cells[:-1])
                if nb.cells[i + 1].metadata.get("nbgrader", {}).get("grade_id") == "ex07-headline")
    assert "P(best)" in text and "2 points" in text and "double-click" in text.lower()
    exercise3 = next(c.source for c in nb.cells if c.source.startswith("**Exercise 3"))
    assert "not graded" in exercise3
    exercise1 = next(c.source for c in nb.cells if c.source.startswith("**Exercise 1"))
    assert "ht.funnel_limits" in exercise1

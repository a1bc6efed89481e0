"""Every ```python block of README.md runs as written, and says only what it does.

Each commented line of a block makes a claim ("0.0 here", "lme4's numbers", "a pandas
Series"); CLAIMS holds one check per claim, keyed by a piece of the line's code, and a
commented line without a check fails the test, so a new README line gets one.  Reference
values are lme4's (COURSE.md's reference values, published with Gelman & Hill and lme4),
not hiertools' own output.
"""

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def _radon_lme4(fit):
    # lmer(log_radon ~ floor + (1 | county)), REML: 1.4616, -0.6930, 0.3282, 0.7556
    assert np.allclose(fit.fixed_effects[["Intercept", "floor"]], [1.4616, -0.6930], atol=6e-5)
    assert np.allclose([fit.group_sd.iloc[0], fit.sigma], [0.3282, 0.7556], atol=6e-5)


def _sleep_lme4(fit):
    # lmer(reaction ~ days + (days | subject)), REML
    assert np.allclose(fit.fixed_effects[["Intercept", "days"]], [251.405, 10.467], atol=6e-4)
    assert np.allclose(fit.group_sd, [24.741, 5.922], atol=6e-4)
    assert abs(fit.group_corr - 0.066) < 6e-4 and abs(fit.sigma - 25.592) < 6e-4


def _per_county(value):
    assert isinstance(value, pd.Series) and len(value) == 85 and value.notna().all()


CLAIMS = {
    "ht.load(": lambda v: isinstance(v, pd.DataFrame) and len(v) > 0,
    "ht.no_pooling(": _per_county,
    "ht.partial_pooling(": _per_county,
    "ht.group_summary(": lambda v: {"n", "mean", "var"} <= set(v.columns) and len(v) == 85,
    "ht.shrink(": lambda v: len(v) == 85,
    "ht.fit_varying_intercepts(": _radon_lme4,
    "ht.estimate_tau(": lambda v: v == 0.0,
    "ht.tau_posterior(": lambda v: hasattr(v, "sample"),
    "ht.sample_posterior(": lambda v: (v["chain"].nunique(), v["draw"].nunique()) == (4, 500),
    "ht.rhat(": lambda v: 0.99 < float(v) < 1.1,
    "ht.fit_varying_slopes(": _sleep_lme4,
    "ht.fit_beta_binomial(": lambda v: not v.pooled and v.estimates.shape[0] == 12,
    "ht.pooling_explorer(": lambda v: isinstance(v, __import__("ipywidgets").Widget),
    "ht.check(": lambda v: hasattr(v, "_repr_html_") and v.hint,
}


def test_the_readme_has_python_examples():
    assert BLOCKS, "README.md has no ```python block"


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs_and_does_what_its_comments_say(number):
    block = BLOCKS[number]
    lines = block.splitlines()
    namespace: dict = {}
    checked = 0
    for statement in ast.parse(block).body:
        code = ast.get_source_segment(block, statement)
        compiled = compile(ast.Module([statement], []) if not isinstance(statement, ast.Expr)
                           else ast.Expression(statement.value),
                           f"README.md python block {number + 1}",
                           "exec" if not isinstance(statement, ast.Expr) else "eval")
        if isinstance(statement, ast.Expr):
            value = eval(compiled, namespace)  # noqa: S307
        else:
            exec(compiled, namespace)  # noqa: S102
            target = statement.targets[0] if isinstance(statement, ast.Assign) else None
            value = namespace[target.id] if isinstance(target, ast.Name) else None
        commented = "#" in lines[statement.end_lineno - 1]
        keys = sorted((key for key in CLAIMS if key in code), key=code.index)  # outermost call
        if commented:
            assert keys, f"README line {code!r} has a comment but no check in CLAIMS"
        for key in keys[:1]:
            outcome = CLAIMS[key](value)  # None from a check that asserts itself
            # truthiness, not `is not False`: numpy's False (a comparison with a numpy float)
            # and an empty string are false too
            assert outcome is None or bool(outcome), (
                f"README line {code!r}: its comment does not hold")
            checked += 1
    assert checked, "no README claim was checked"

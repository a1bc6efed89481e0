"""Checks of the stored reference file (tests/data/lme4_reference.json), not of the engine.

These guard the reference values that tests/mixed/test_agreement.py compares the engine
with: if the file were regenerated wrongly, they fail before any engine test can pass
for the wrong reason.
"""

from __future__ import annotations

import math

import pytest

from .dense_reference import ALL_MODELS


def test_stored_reference_covers_every_model_and_method(reference):
    assert set(reference["dense"]) == {f"{key}/{method}" for key in ALL_MODELS
                                       for method in ("REML", "ML")}
    for name, ref in reference["dense"].items():
        assert "dense_reference.py" in ref["source"], name
        assert math.isfinite(ref["loglik"]) and ref["sigma"] > 0, name


def test_stored_reference_statsmodels_llf_is_on_lme4_scale(reference):
    """statsmodels' llf (powell), stored beside each dense reference, is on lme4's scale,
    REML and ML alike: where statsmodels reached the optimum (its estimates agree with the
    dense ones to 2e-5) its llf equals the dense loglik; where it stopped short (the
    varying-slopes fits) its llf is lower, never higher."""
    converged = 0
    for key, ref in reference["dense"].items():
        llf = ref["statsmodels_powell_llf"]
        assert llf <= ref["loglik"] + 1e-6, key
        if max(ref["statsmodels_powell_max_rel_diff"].values()) < 2e-5:
            assert llf == pytest.approx(ref["loglik"], abs=1e-6), key
            converged += 1
    assert converged >= 7

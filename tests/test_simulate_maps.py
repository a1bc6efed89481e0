"""ht.simulate_maps: the seed's simulation on many maps, checked against its own definition."""

import numpy as np
import pytest

import hiertools as ht


def test_shapes_sizes_and_standard_errors():
    maps = ht.simulate_maps(500, 12, seed=3)
    for array in maps:
        assert array.shape == (500, 12)
    assert maps.n.min() == 3 and maps.n.max() == 59  # uniform on 3..59, all values reached
    np.testing.assert_array_equal(maps.se, 3.0 / np.sqrt(maps.n))
    assert set(np.unique(maps.n)) == set(range(3, 60))


def test_the_draws_have_the_stated_distributions():
    maps = ht.simulate_maps(4000, 20, mu=5.0, tau=0.5, sigma=3.0, seed=4)
    cells = maps.true.size
    # true rates ~ N(5, 0.5^2): mean within 4 standard errors, variance within 4 of its SEs
    assert abs(maps.true.mean() - 5.0) < 4 * 0.5 / np.sqrt(cells)
    assert abs(maps.true.var() - 0.25) < 4 * 0.25 * np.sqrt(2 / cells)
    # raw - true ~ N(0, sigma^2 / n): standardized noise has mean 0 and variance 1
    z = (maps.raw - maps.true) / maps.se
    assert abs(z.mean()) < 4 / np.sqrt(cells)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2 / cells)


def test_the_seed_fixes_the_maps():
    a, b = ht.simulate_maps(10, 5, seed=7), ht.simulate_maps(10, 5, seed=7)
    np.testing.assert_array_equal(a.raw, b.raw)
    assert not np.array_equal(a.raw, ht.simulate_maps(10, 5, seed=8).raw)
    zero = ht.simulate_maps(10, 5, tau=0.0, mu=2.0, seed=7)
    np.testing.assert_array_equal(zero.true, 2.0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_maps": 0}, ValueError, "n_maps must be >= 1"),
    ({"n_maps": 2.5}, TypeError, "n_maps must be a whole number"),
    ({"n_districts": 1}, ValueError, "n_districts must be >= 2"),
    ({"tau": -1.0}, ValueError, "tau must be >= 0"),
    ({"sigma": 0.0}, ValueError, "sigma must be > 0"),
    ({"mu": np.nan}, ValueError, "mu must be a finite number"),
    ({"n_min": 5, "n_max": 5}, ValueError, "n_max must be >= 6"),
    ({"seed": True}, TypeError, "seed must be a whole number"),
])
def test_bad_settings_are_named(kwargs, error, match):
    settings = {"n_maps": 10} | kwargs
    with pytest.raises(error, match=match):
        ht.simulate_maps(**settings)

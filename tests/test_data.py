"""Datasets ship inside the package, match their published descriptions, and load fresh."""

import hashlib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import hiertools as ht


def test_list_datasets_has_the_course_datasets():
    assert {"radon", "sleepstudy", "eight_schools", "baseball"} <= set(ht.list_datasets())


@pytest.mark.parametrize("name", ht.list_datasets())
def test_every_dataset_has_provenance_and_documented_columns(name):
    info = ht.dataset_info(name)
    for field in ("title", "description", "source", "license", "columns", "sha256"):
        assert info[field], f"{name}: {field} missing"
    frame = ht.load(name)
    assert list(frame.columns) == list(info["columns"])
    assert len(frame) == info["rows"]
    raw = (resources.files("hiertools") / "datasets" / f"{name}.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == info["sha256"]


def test_radon_matches_gelman_hill():
    radon = ht.load("radon")
    assert list(radon.columns) == ["county", "floor", "log_radon", "log_uranium"]
    assert radon.shape == (919, 4)
    assert radon["county"].nunique() == 85
    assert set(radon["floor"]) == {0, 1}
    # G&H: 766 basement (floor 0) and 153 first-floor measurements; counties of 1 to 116 homes
    assert (radon["floor"] == 0).sum() == 766
    sizes = radon.groupby("county").size()
    assert sizes.min() == 1 and sizes.max() == 116 and sizes["LAC QUI PARLE"] == 2
    # log uranium is a county-level predictor: constant within county
    assert radon.groupby("county")["log_uranium"].nunique().max() == 1
    # basement readings are higher on average (floor 0 = basement, as in G&H)
    means = radon.groupby("floor")["log_radon"].mean()
    assert means[0] > means[1]


def test_sleepstudy_shape_and_first_subject():
    sleep = ht.load("sleepstudy")
    assert sleep.shape == (180, 3)
    assert sleep["subject"].nunique() == 18
    assert sorted(sleep["days"].unique()) == list(range(10))
    # lme4's sleepstudy, first row: subject 308, day 0, 249.5600 ms
    first = sleep.iloc[0]
    assert (first["subject"], first["days"], first["reaction"]) == (308, 0, 249.56)


def test_eight_schools_values_from_bda3():
    schools = ht.load("eight_schools")
    assert schools["y"].tolist() == [28, 8, -3, 7, -1, 1, 18, 12]
    assert schools["se"].tolist() == [15, 10, 16, 11, 9, 11, 10, 18]


def test_baseball_efron_morris():
    bb = ht.load("baseball")
    assert len(bb) == 18 and (bb["at_bats"] == 45).all()
    # Clemente: 18 hits in 45 at-bats, .346 for the rest of 1970 (Efron & Morris 1975, Table 1)
    clemente = bb.set_index("player").loc["Roberto Clemente"]
    assert clemente["hits"] == 18 and clemente["rest_avg"] == pytest.approx(0.346)
    assert np.allclose(bb["avg_45"], (bb["hits"] / 45).round(3), atol=1e-9)


def test_surgical_reference_values():
    s = ht.load("surgical")
    assert s["operations"].tolist() == [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360]
    assert s["deaths"].tolist() == [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24]


def test_load_returns_a_fresh_copy():
    first = ht.load("radon")
    first.loc[0, "log_radon"] = 999.0
    first["extra"] = 1
    second = ht.load("radon")
    assert second.loc[0, "log_radon"] != 999.0 and "extra" not in second


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(ValueError, match="radon") as info:
        ht.load("radom")
    assert "sleepstudy" in str(info.value)
    with pytest.raises(TypeError, match="name"):
        ht.load(3)
    with pytest.raises(ValueError, match="Did you mean 'eight_schools'"):
        ht.load("eight_school")


def test_dataset_names_are_case_insensitive():
    pd.testing.assert_frame_equal(ht.load("Radon"), ht.load("radon"))
    assert ht.dataset_info("EIGHT_SCHOOLS") == ht.dataset_info("eight_schools")


SEED_BLOCK = """5.038
4 6.99 5.85 0.42
11 6.79 6.2 0.66
17 4.1 4.33 0.75"""


def test_simulate_districts_reproduces_the_seed_printout():
    d = ht.simulate_districts()
    raw, n = d["raw"].to_numpy(), d["n"].to_numpy()
    # the seed's own computation, applied to the packaged simulation
    grand = raw.mean()
    tau2 = raw.var(ddof=1)
    w = tau2 / (tau2 + 3.0**2 / n)
    shrunk = grand + w * (raw - grand)
    lines = [str(round(grand, 3))]
    for i in np.argsort(n)[:3]:
        lines.append(f"{n[i]} {round(raw[i], 2)} {round(shrunk[i], 2)} {round(w[i], 2)}")
    assert "\n".join(lines) == SEED_BLOCK


def test_simulate_districts_observations_share_sizes_and_truth():
    d = ht.simulate_districts(20, seed=5)
    rows = ht.simulate_districts(20, seed=5, observations=True)
    assert rows.groupby("district").size().tolist() == d["n"].tolist()
    # observation means scatter around the true rates with sd sigma / sqrt(n)
    z = (rows.groupby("district")["y"].mean().to_numpy() - d["true"]) / (3 / np.sqrt(d["n"]))
    assert np.abs(z).max() < 4


def test_simulate_districts_is_seeded_and_validates():
    a = ht.simulate_districts(50, seed=3)
    b = ht.simulate_districts(50, seed=3)
    assert a.equals(b)
    assert not a.equals(ht.simulate_districts(50, seed=4))
    with pytest.raises(ValueError, match="n_districts"):
        ht.simulate_districts(1)
    with pytest.raises(TypeError, match="seed"):
        ht.simulate_districts(seed=1.5)
    with pytest.raises(ValueError, match="n_min"):
        ht.simulate_districts(n_min=10, n_max=5)
    with pytest.raises(TypeError, match="tau must be a number"):
        ht.simulate_districts(tau="a")
    with pytest.raises(ValueError, match="mu must be a finite number"):
        ht.simulate_districts(mu=float("nan"))
    with pytest.raises(ValueError, match="seed must be >= 0"):
        ht.simulate_districts(seed=-1)

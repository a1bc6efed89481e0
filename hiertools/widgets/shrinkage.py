"""The shrinkage explorer: sliders for tau, sigma and one group's size."""

from __future__ import annotations

import time

import numpy as np

from .._validation import check_scalar
from ._base import _explorer_base, _FigureView, _group_data, _readout, _slider

__all__ = ["shrinkage_explorer"]


def shrinkage_explorer(raw=None, n=None, sigma=None, *, tau=None, data=None, y=None, group=None,
                       labels=None, focus=None, ylabel=None):
    """Sliders for τ, σ and one group's size; watch the estimates, weights and arrows move.

    Left: every group's arrow from its raw mean to its partially pooled estimate
    :math:`w_j\\bar y_j + (1-w_j)\\hat\\mu`, placed by group size.  Right: the weight curve
    :math:`w(n) = \\tau^2/(\\tau^2 + \\sigma^2/n)` with every group on it; it crosses one
    half at :math:`n = \\sigma^2/\\tau^2`.  The chosen group is highlighted in both, and its
    size can be changed with the last slider.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments, lesson
        03's data (the 85 Minnesota counties' mean log radon, with σ and τ from the
        REML fit of the varying-intercept model).
    tau : float, optional
        Starting between-group SD; default: estimated (REML).
    data, y, group : optional
        Alternatively, a DataFrame of observations with outcome and group columns.
    labels : list, optional
        Group labels for `raw`.
    focus : optional
        Label of the group to highlight first; default: the smallest group farthest
        from the mean.
    ylabel : str, optional
        Label of the estimate axis (say the units); default: lesson 03's with no
        arguments, else "estimate".

    Returns
    -------
    ipywidgets.VBox
        Sliders (CSS classes ``ht-slider-tau``, ``ht-slider-sigma``, ``ht-slider-n``), a
        group dropdown (``ht-dropdown-group``), a readout and the figure.

    Raises
    ------
    TypeError, ValueError
        If the data are not numeric, hold NaN, have fewer than 2 groups, the arguments
        do not have one value per group, τ < 0, or `focus` is not a group label.

    See Also
    --------
    pooling_explorer : one slider from complete to no pooling.
    shrinkage_weights, shrink : what the sliders recompute.

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.shrinkage_explorer([1.0, 2.0, 6.0], n=[3, 10, 40], sigma=2.0, tau=1.0)
    >>> explorer.control("ht-slider-tau").value
    1.0
    """
    import ipywidgets as widgets

    from ..empirical_bayes import _estimate_tau
    from ..exercises.lesson03 import explorer_defaults
    from ..plots import COLORS, plot_shrinkage, update_shrinkage
    from ..plots._common import _plain_log_axis
    from ..shrinkage import _pooled_mean, _shrink, _weights

    groups = _group_data(data=data, y=y, group=group, raw=raw, n=n, sigma=sigma, labels=labels,
                         truth=None, defaults=explorer_defaults)
    raw, n0, sigma, labels = groups["raw"], groups["n"], groups["sigma"], groups["labels"]
    ylabel = ylabel if ylabel is not None else groups.get("ylabel", "estimate")
    if tau is None:
        tau = groups.get("tau")
        if tau is None:
            tau = _estimate_tau(raw, (sigma / np.sqrt(n0)) ** 2, "REML")
    tau = check_scalar(tau, "tau", minimum=0)
    if focus is None:
        smallest = np.flatnonzero(n0 == n0.min())
        focus_index = int(smallest[np.argmax(np.abs(raw[smallest] - raw.mean()))])
    elif str(focus) in labels:
        focus_index = labels.index(str(focus))
    else:
        raise ValueError(f"focus={focus!r} is not one of the group labels, e.g. {labels[:3]}.")

    n_max = int(max(100, 2 * n0.max()))
    n = n0.copy()
    view = _FigureView(figsize=(10, 4.2))
    left, right = view.figure.subplots(1, 2, width_ratios=[1.6, 1])
    plot_shrinkage(raw, _shrink(raw, n, tau, sigma), n, mu=_pooled_mean(raw, n, tau, sigma),
                   ax=left, ylabel=ylabel, title="Raw means shrink toward μ̂: small groups travel farthest")
    left.set_xlim(0.8, n_max * 1.25)
    spread = np.ptp(raw)
    left.set_ylim(raw.min() - 0.08 * spread, raw.max() + 0.08 * spread)
    focus_head = left.scatter([n[focus_index]], [raw[focus_index]], s=90, facecolors="none",
                              edgecolors=COLORS["highlight"], linewidths=2.2, zorder=6)
    grid = np.geomspace(1, n_max * 1.25, 200)
    curve, = right.plot(grid, _weights(tau, sigma, grid), color=COLORS["partial pooling"],
                        label="w(n) = τ² / (τ² + σ²/n)")
    dots = right.scatter(n, _weights(tau, sigma, n), s=14,
                         color=COLORS["partial pooling"], zorder=3, label="groups")
    focus_dot = right.scatter([n[focus_index]], [0.5], s=90, facecolors="none",
                              edgecolors=COLORS["highlight"], linewidths=2.2, zorder=4,
                              label="chosen group")
    right.axhline(0.5, color="0.6", linestyle=":", linewidth=1)
    half = right.axvline(1.0, color="0.6", linestyle=":", linewidth=1, label="w = ½ at n = σ²/τ²")
    _plain_log_axis(right.xaxis)
    right.set_xlim(0.8, n_max * 1.25)
    right.set_ylim(-0.02, 1.02)
    right.set_xlabel("group size $n$ (log scale)")
    right.set_ylabel("weight on the group's own mean, $w$")
    right.set_title("Weight = reliability of own data")
    right.legend(loc="lower right", fontsize="small", frameon=False)
    right.grid(alpha=0.3)
    view.freeze([*left.hiertools_artists.values(), focus_head, curve, dots, focus_dot, half])

    style = {"readout_format": ".2f", "continuous_update": True}
    tau_slider = _slider("FloatSlider", "τ (between-group SD)", "ht-slider-tau", width="430px",
                         value=round(tau, 2), min=0.0, max=round(max(3 * tau, np.std(raw), 0.1), 2),
                         step=0.01, **{k: v for k, v in style.items() if k != "continuous_update"})
    sigma_slider = _slider("FloatSlider", "σ (within-group SD)", "ht-slider-sigma",
                           width="430px", value=round(sigma, 2), min=round(max(0.05 * sigma, 0.01), 2),
                           max=round(3 * sigma, 2), step=0.01, readout_format=".2f")
    group_box = widgets.Dropdown(options=labels, value=labels[focus_index],
                                 description="chosen group", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="300px"))
    group_box.add_class("ht-dropdown-group")
    n_slider = _slider("IntSlider", "its size n", "ht-slider-n", width="430px",
                       value=int(n[focus_index]), min=1, max=n_max, step=1)
    readout = _readout()
    state = {"focus": focus_index, "busy": False}

    def redraw(change=None):
        if state["busy"]:
            return
        started = time.perf_counter()
        j = state["focus"]
        n[j] = n_slider.value
        tau_now, sigma_now = float(tau_slider.value), float(sigma_slider.value)
        mu = _pooled_mean(raw, n, tau_now, sigma_now)
        estimates = _shrink(raw, n, tau_now, sigma_now, mu)
        w = _weights(tau_now, sigma_now, n)
        update_shrinkage(left, raw, estimates, n, mu=mu)
        focus_head.set_offsets([[n[j], estimates[j]]])
        curve.set_ydata(_weights(tau_now, sigma_now, grid))
        dots.set_offsets(np.column_stack([n, w]))
        focus_dot.set_offsets([[n[j], w[j]]])
        n_half = sigma_now**2 / tau_now**2 if tau_now > 0 else np.inf
        half.set_xdata([min(n_half, 1e9)] * 2)
        half_text = f"{n_half:.1f}" if np.isfinite(n_half) else "∞ (τ = 0: complete pooling)"
        readout.value = (f"<b>{labels[j]}</b>: n = {n[j]:g}, raw mean {raw[j]:.2f} → "
                         f"partially pooled {estimates[j]:.2f}, weight {w[j]:.2f} on its own mean"
                         f" &nbsp;|&nbsp; μ̂ = {mu:.2f} &nbsp;|&nbsp; weight ½ at n = σ²/τ² = "
                         f"{half_text}")
        view.render(started)

    def choose(change):
        n[state["focus"]] = n0[state["focus"]]  # the previous group gets its real size back
        state["focus"] = labels.index(change["new"])
        state["busy"] = True
        n_slider.value = int(n0[state["focus"]])
        state["busy"] = False
        redraw()

    for slider in (tau_slider, sigma_slider, n_slider):
        slider.observe(redraw, names="value")
    group_box.observe(choose, names="value")
    redraw()
    controls = widgets.HBox([widgets.VBox([tau_slider, sigma_slider],
                                          layout=widgets.Layout(margin="0 24px 0 0")),
                             widgets.VBox([group_box, n_slider])],
                            layout=widgets.Layout(flex_flow="row wrap"))
    return _explorer_base()([controls, readout, view.image], title="Shrinkage explorer",
                            figure_view=view)

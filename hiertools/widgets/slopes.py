"""The varying-slopes explorer: sliders for the two SDs and the correlation of Σ, and for σ."""

from __future__ import annotations

import math
import time

import numpy as np

from ._base import _explorer_base, _FigureView, _readout, _slider

__all__ = ["slopes_explorer"]


def _step(top: float) -> float:
    """A slider step of about 1/300 of the range, a power of ten."""
    return 10.0 ** math.floor(math.log10(top / 300.0))


def _decimals(step: float) -> int:
    return max(0, -int(round(math.log10(step))))


def slopes_explorer(data=None, y=None, x=None, group=None, *, sd_intercept=None, sd_slope=None,
                    rho=None, sigma=None, focus=None, xlabel=None, ylabel=None,
                    intercept_label=None, slope_label=None):
    """Sliders for Σ (two SDs and ρ) and σ; watch every group's line move in two views.

    Left: the intercept-slope plane -- each group's own least-squares line (open
    circle), an arrow to its partially pooled line (dot), and the 50% and 95%
    ellipses of :math:`N_2(\\hat\\beta, \\Sigma)` around the centre (the GLS fixed
    effects).  Right: the chosen group's data with its own line and its partially
    pooled line, over every group's partially pooled line.  The partially pooled lines
    are :func:`shrink_slopes` at the sliders' values; everything updates in place.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per observation.  With no arguments: lesson 06's sleep study
        (18 subjects, days 0-9, reaction time in ms).
    y, x, group : str, optional
        Outcome, predictor (whose slope varies) and grouping columns; required with
        `data`.
    sd_intercept, sd_slope, rho, sigma : float, optional
        Starting values; default: the REML fit of :func:`fit_varying_slopes`.  At the
        fitted values the partially pooled lines are exactly the fit's.
    focus : optional
        Label of the group to show on the right first (default: the lesson's choice,
        or the group whose own line lies farthest from the centre).
    xlabel, ylabel : str, optional
        Axis labels of the lines panel (x and y); say the units.
    intercept_label, slope_label : str, optional
        Axis labels of the intercept-slope plane.

    Returns
    -------
    ipywidgets.VBox
        Sliders (CSS classes ``ht-slider-sd-intercept``, ``ht-slider-sd-slope``,
        ``ht-slider-rho``, ``ht-slider-sigma``), a group dropdown
        (``ht-dropdown-group``), a readout (``ht-readout``) and the figure
        (``ht-figure``).

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.slopes_explorer()
    >>> explorer.control("ht-slider-rho").value
    0.07
    """
    import ipywidgets as widgets

    from .._validation import check_scalar
    from ..mixed import fit_varying_slopes
    from ..plots import COLORS, plot_slopes_shrinkage, update_slopes_shrinkage
    from ..slopes import _checked_stats, _own_lines, _shrink_kernel, slopes_cov

    if data is None:
        given = [name for name, value in (("y", y), ("x", x), ("group", group)) if value is not None]
        if given:
            raise ValueError(f"{given[0]}= was given without data=; pass the DataFrame as data= "
                             "too (or no arguments for the lesson's sleep study).")
        from ..exercises.lesson06 import explorer_defaults

        defaults = explorer_defaults()
        data, y, x, group = (defaults[k] for k in ("data", "y", "x", "group"))
        xlabel = defaults["xlabel"] if xlabel is None else xlabel
        ylabel = defaults["ylabel"] if ylabel is None else ylabel
        intercept_label = defaults["intercept_label"] if intercept_label is None else intercept_label
        slope_label = defaults["slope_label"] if slope_label is None else slope_label
        focus = defaults["focus"] if focus is None else focus
    else:
        missing = [name for name, value in (("y", y), ("x", x), ("group", group)) if value is None]
        if missing:
            raise ValueError(f"With data=..., also pass {', '.join(m + '=' for m in missing)} "
                             "(the outcome, predictor and group column names).")
    stats = _checked_stats(data, y, x, group)
    own = _own_lines(stats)
    labels = [str(label) for label in stats.labels]
    lacking = [label for label, row in zip(labels, own) if np.isnan(row).any()]
    if lacking:
        raise ValueError(f"data: group(s) {lacking[:3]} have fewer than two distinct values of "
                         f"x={x!r}, so they have no own line to draw an arrow from; drop them "
                         "first.")
    if len(labels) < 2:
        raise ValueError(f"group={group!r} has a single group; varying slopes need several.")

    fit = fit_varying_slopes(data, y, x, group)
    fitted = {"sd_intercept": float(fit.group_sd.iloc[0]), "sd_slope": float(fit.group_sd.iloc[1]),
              "rho": 0.0 if math.isnan(fit.group_corr) else float(fit.group_corr),
              "sigma": float(fit.sigma)}
    given = {"sd_intercept": sd_intercept, "sd_slope": sd_slope, "rho": rho, "sigma": sigma}
    for name, value in given.items():
        if value is not None:
            low, strict = {"rho": (-1, False), "sigma": (0, True)}.get(name, (0, False))
            fitted[name] = check_scalar(value, name, minimum=low, strict_min=strict,
                                        maximum=1 if name == "rho" else None)
    start = fitted
    xlabel = x if xlabel is None else xlabel
    ylabel = y if ylabel is None else ylabel
    intercept_label = (f"intercept: {y} at {x} = 0" if intercept_label is None
                       else intercept_label)
    slope_label = f"slope: change in {y} per unit of {x}" if slope_label is None else slope_label

    def current_cov_sigma():
        values = {name: (start[name] if abs(s.value - s.hiertools_start) < s.step / 2
                         else float(s.value)) for name, s in sliders.items()}
        cov = slopes_cov(values["sd_intercept"], values["sd_slope"], values["rho"])
        return values, cov

    # starting state: the fit's (or the given) values
    cov0 = slopes_cov(start["sd_intercept"], start["sd_slope"], start["rho"])
    beta, coefs, _ = _shrink_kernel(stats, cov0, start["sigma"])
    if focus is None:
        spread = np.linalg.pinv(cov0 + start["sigma"] ** 2 * np.linalg.inv(stats.ztz.sum(0)
                                                                             / len(labels)))
        deviation = own - beta
        focus_index = int(np.argmax(np.einsum("jk,kl,jl->j", deviation, spread, deviation)))
    elif str(focus) in labels:
        focus_index = labels.index(str(focus))
    else:
        raise ValueError(f"focus={focus!r} is not one of the group labels, e.g. {labels[:3]}.")

    view = _FigureView(figsize=(10.6, 5.2))
    plane, lines_ax = view.figure.subplots(1, 2, width_ratios=[1.15, 1])
    plot_slopes_shrinkage(own, coefs, mean=beta, cov=cov0, labels=labels, ax=plane,
                          xlabel=intercept_label, ylabel=slope_label,
                          title="Own lines (circles) pulled to partially pooled lines (dots)")
    plane.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize="x-small",
                 frameon=False)
    art = plane.hiertools_artists
    # room for the ellipses to grow and the dots to travel, fixed once (the background is frozen)
    pad = 0.12 * np.ptp(np.vstack([own, coefs, art["ellipses"][-1].get_xydata()]), axis=0)
    low = np.minimum(own.min(0), art["ellipses"][-1].get_xydata().min(0)) - pad
    high = np.maximum(own.max(0), art["ellipses"][-1].get_xydata().max(0)) + pad
    plane.set_xlim(low[0], high[0])
    plane.set_ylim(low[1], high[1])
    ring = plane.scatter(*np.vstack([own[focus_index], coefs[focus_index]]).T, s=110,
                         facecolors="none", edgecolors=COLORS["highlight"], linewidths=2.0,
                         zorder=8)

    from matplotlib.collections import LineCollection

    xs = data[x].to_numpy(dtype=float)
    ys = data[y].to_numpy(dtype=float)
    codes = stats.labels.get_indexer(data[group])
    ends = np.array([xs.min(), xs.max()])

    def line_segments(c):
        return np.stack([np.column_stack([ends, a + b * ends]) for a, b in c])

    everyone = LineCollection(line_segments(coefs), colors=COLORS["partial pooling"],
                              linewidths=0.8, alpha=0.3, zorder=1,
                              label="every group, partially pooled")
    lines_ax.add_collection(everyone)
    centre_line, = lines_ax.plot(ends, beta[0] + beta[1] * ends, color=COLORS["complete pooling"],
                                 linestyle="--", linewidth=1.4, zorder=2,
                                 label="centre: fixed effects")
    rows = codes == focus_index
    points = lines_ax.scatter(xs[rows], ys[rows], s=16, color="0.15", alpha=0.7, zorder=3,
                              label="chosen group's data")
    own_line, = lines_ax.plot(ends, own[focus_index, 0] + own[focus_index, 1] * ends,
                              color=COLORS["no pooling"], linewidth=1.8, zorder=4,
                              label="its own line (no pooling)")
    pooled_line, = lines_ax.plot(ends, coefs[focus_index, 0] + coefs[focus_index, 1] * ends,
                                 color=COLORS["partial pooling"], linewidth=2.4, zorder=5,
                                 label="its partially pooled line")
    spread_y = np.ptp(ys)
    lines_ax.set_ylim(ys.min() - 0.1 * spread_y, ys.max() + 0.1 * spread_y)
    span = ends[1] - ends[0]
    lines_ax.set_xlim(ends[0] - 0.03 * span, ends[1] + 0.03 * span)
    lines_ax.set_xlabel(xlabel)
    lines_ax.set_ylabel(ylabel)
    title = lines_ax.set_title(f"{group} {labels[focus_index]}")
    lines_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                    fontsize="x-small", frameon=False)
    lines_ax.grid(alpha=0.3)
    animated = [art["arrows"], art["heads"], art["mean"], *art["ellipses"], ring, everyone,
                centre_line, points, own_line, pooled_line, title]
    view.freeze(animated)

    def make(name, description, css, top, minimum=0.0, step=None):
        step = _step(top) if step is None else step
        decimals = _decimals(step)
        value = round(start[name], decimals)
        slider = _slider("FloatSlider", description, css, width="400px",
                         value=min(max(value, minimum), top), min=minimum, max=top, step=step,
                         readout_format=f".{decimals}f")
        slider.hiertools_start = slider.value
        slider.hiertools_decimals = decimals
        return slider

    def top_of(name, fallback):
        reference = start[name] if start[name] > 0 else fallback
        top = 3.0 * reference
        step = _step(top)
        return math.ceil(top / step) * step

    sliders = {
        "sd_intercept": make("sd_intercept", "σ_α (SD of intercepts)", "ht-slider-sd-intercept",
                             top_of("sd_intercept", float(np.std(own[:, 0])) + 1e-12)),
        "sd_slope": make("sd_slope", "σ_β (SD of slopes)", "ht-slider-sd-slope",
                         top_of("sd_slope", float(np.std(own[:, 1])) + 1e-12)),
        "rho": make("rho", "ρ (correlation)", "ht-slider-rho", 1.0, minimum=-1.0, step=0.01),
    }
    sigma_top = top_of("sigma", float(np.std(ys)) + 1e-12)
    sliders["sigma"] = make("sigma", "σ (residual SD)", "ht-slider-sigma", sigma_top,
                            minimum=_step(sigma_top))
    group_box = widgets.Dropdown(options=labels, value=labels[focus_index],
                                 description=f"chosen {group}",
                                 style={"description_width": "initial"},
                                 layout=widgets.Layout(width="260px"))
    group_box.add_class("ht-dropdown-group")
    readout = _readout()
    state = {"focus": focus_index}

    def redraw(change=None):
        started = time.perf_counter()
        values, cov = current_cov_sigma()
        beta, coefs, shrinkage = _shrink_kernel(stats, cov, values["sigma"])
        j = state["focus"]
        update_slopes_shrinkage(plane, own, coefs, beta, cov)
        ring.set_offsets(np.vstack([own[j], coefs[j]]))
        everyone.set_segments(line_segments(coefs))
        centre_line.set_ydata(beta[0] + beta[1] * ends)
        pooled_line.set_ydata(coefs[j, 0] + coefs[j, 1] * ends)
        kept = np.sort(np.linalg.eigvals(shrinkage[j]).real)
        da, db, ds = (sliders[k].hiertools_decimals for k in ("sd_intercept", "sd_slope", "sigma"))

        def line(c):
            return f"({c[0]:.{da}f}, {c[1]:.{db}f})"

        readout.value = (
            f"Σ: σ_α = {values['sd_intercept']:.{da + 1}f}, σ_β = {values['sd_slope']:.{db + 1}f},"
            f" ρ = {values['rho']:.3f} &nbsp;|&nbsp; σ = {values['sigma']:.{ds + 1}f} &nbsp;|&nbsp;"
            f" centre {line(beta)}<br><b>{group} {labels[j]}</b>: own line {line(own[j])} → "
            f"partially pooled {line(coefs[j])}; its shrinkage matrix keeps {kept[0]:.2f} and "
            f"{kept[1]:.2f} of a deviation along its two directions")
        view.render(started)

    def choose(change):
        j = labels.index(change["new"])
        state["focus"] = j
        rows = codes == j
        points.set_offsets(np.column_stack([xs[rows], ys[rows]]))
        own_line.set_ydata(own[j, 0] + own[j, 1] * ends)
        title.set_text(f"{group} {labels[j]}")
        redraw()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    group_box.observe(choose, names="value")
    redraw()
    controls = widgets.HBox([widgets.VBox([sliders["sd_intercept"], sliders["sd_slope"]],
                                          layout=widgets.Layout(margin="0 24px 0 0")),
                             widgets.VBox([sliders["rho"], sliders["sigma"]]),
                             group_box],
                            layout=widgets.Layout(flex_flow="row wrap"))
    return _explorer_base()([controls, readout, view.image], title="Varying-slopes explorer",
                            figure_view=view)

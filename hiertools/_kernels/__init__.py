"""The internal layer: unvalidated numeric kernels that the public functions call.

A public function of :mod:`hiertools` checks its arguments once, at the door (with
:mod:`hiertools._validation`), and hands clean float arrays to a kernel here.  A kernel
is array in, array out: it checks nothing, changes none of its arguments (two exceptions,
named below, write into arrays made for it) and draws nothing, so the explorers (one call
per slider step), the simulation studies and the exercise checks can call it on data they
validated once, and every caller computes a quantity with the same code.

* :mod:`~hiertools._kernels.normal` -- the normal hierarchical model with known
  variances: shrinkage weights, the precision-weighted mean, partially pooled means,
  τ̂ (REML, ML, moments, rough; one map or many), the profile likelihood of τ, and the
  grid posterior's conditionals given τ and the priors on τ.
* :mod:`~hiertools._kernels.regression` -- per-group regression lines: the sufficient
  statistics of y on [1, x] (one pass over the rows, shared with the mixed-model
  engine; ``add_group_sums`` adds a block of rows into the caller's accumulators, in
  place), each group's own least-squares line, the partially pooled lines for a given
  Σ and σ, the complete- and no-pooling lines, and the contour of a bivariate normal.
* :mod:`~hiertools._kernels.arrays` -- making result arrays read-only: in place, on
  purpose (``freeze``), or as a new float copy (``frozen_copy``).

Kernels are called through their module (``normal.shrink(...)``, ``regression.own_lines(...)``),
so a call site says which layer it reaches into and a kernel never shadows the public
function of the same name.  Outside this package, a module imports no private (``_x``) name
of another module except out of a private module: this package, :mod:`hiertools._validation`
or a subpackage's shared internals (``plots/_common.py``, ``widgets/_base.py``,
``exercises/_core.py``, ...); ``tests/widgets/test_layers.py`` checks it and lists the few
exceptions with their reasons.
"""

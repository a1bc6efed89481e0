"""Interactive explorers (ipywidgets), one module per explorer.

Every explorer works with no arguments (it then shows its lesson's own data, as
defined in that lesson's module under :mod:`hiertools.exercises`), accepts the
learner's data as arguments, and returns the ipywidgets container it displays.
Each has CSS classes (``ht-explorer``, ``ht-figure``, ``ht-readout`` and one per
control) that the browser tests select on.  ``import hiertools`` does not import
ipywidgets: it is imported when an explorer is built.
"""

from .pooling import pooling_explorer
from .shrinkage import shrinkage_explorer
from .slopes import slopes_explorer

__all__ = ["pooling_explorer", "shrinkage_explorer", "slopes_explorer"]

"""Interactive explorers (ipywidgets), one module per explorer, and their frames.

Every explorer works with no arguments (it then shows the data its lesson registers,
see :mod:`hiertools.widgets._lessons`), accepts the learner's data as arguments, and
returns the ipywidgets container it displays.  Each is split into a compute function
(slider values to a frame: arrays, readout, alt text), a draw function (a frame onto an
Axes) and a thin ipywidgets shell; :func:`explorer_frames` renders frames with the same
two functions for a page without a kernel.  Each explorer has CSS classes
(``ht-explorer``, ``ht-figure``, ``ht-readout`` and one per control) that the browser
tests select on.  ``import hiertools`` does not import ipywidgets: it is imported when an
explorer is built.
"""

from .frames import explorer_controls, explorer_frames
from .pooling import draw_pooling, pooling_data, pooling_explorer, pooling_frame
from .shrinkage import draw_shrinkage, shrinkage_data, shrinkage_explorer, shrinkage_frame
from .slopes import draw_slopes, slopes_data, slopes_explorer, slopes_frame

__all__ = ["pooling_explorer", "shrinkage_explorer", "slopes_explorer",
           "explorer_controls", "explorer_frames",
           "pooling_data", "pooling_frame", "draw_pooling",
           "shrinkage_data", "shrinkage_frame", "draw_shrinkage",
           "slopes_data", "slopes_frame", "draw_slopes"]

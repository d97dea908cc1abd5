"""A progress bar for long waits that appears only inside Jupyter.

Inside a Jupyter kernel, ``Progress`` displays an ipywidgets ``IntProgress``
bar with a text label. Anywhere else it displays nothing, because the library
never prints. The bar updates live through the widget's own messages. The
plain-text form that a saved notebook keeps names the bar and its total but no
count, so it reads the same on every run and in nbval, which does not replay
display updates.
"""

from __future__ import annotations

import logging

__all__ = ["Progress", "in_jupyter"]

logger = logging.getLogger(__name__)


def in_jupyter() -> bool:
    """Return True when running inside a Jupyter (IPython kernel) session."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    # Terminal IPython has a shell but no kernel; notebooks and JupyterLab have both.
    return shell is not None and getattr(shell, "kernel", None) is not None


class Progress:
    """Count of finished units out of ``total``, shown as a bar in Jupyter.

    ``update(done)`` sets the count (it is not an increment). ``text`` is the
    label, for example ``"assignments submitted: 3 of 10"``.
    """

    def __init__(self, total: int, description: str = "") -> None:
        if total < 0:
            raise ValueError(f"total must be 0 or more; got {total}")
        self.total = int(total)
        self.description = description
        self.done = 0
        self._bar = None
        self._label = None
        self._box = None
        if in_jupyter():
            self._display()

    @property
    def text(self) -> str:
        counts = f"{self.done} of {self.total}"
        return f"{self.description}: {counts}" if self.description else counts

    @property
    def displayed(self) -> bool:
        """True when a widget is shown."""
        return self._bar is not None

    def update(self, done: int) -> None:
        """Set the number of finished units; values above ``total`` are shown as ``total``."""
        self.done = max(0, min(int(done), self.total))
        if self._bar is not None:
            self._bar.value = self.done
            self._label.value = self.text

    def finish(self) -> None:
        """Mark the wait as over; the bar already shows the last count, so nothing is redrawn."""

    def _display(self) -> None:
        try:
            import ipywidgets
            from IPython.display import display
        except ImportError:
            logger.debug("ipywidgets is not installed; no progress bar is shown")
            return
        self._bar = ipywidgets.IntProgress(value=0, min=0, max=max(self.total, 1))
        self._label = ipywidgets.Label(value=self.text)
        self._box = ipywidgets.HBox([self._bar, self._label])
        bundle = self._box._repr_mimebundle_()
        bundle["text/plain"] = f"[progress bar: {self.description or 'progress'}, {self.total} in all]"
        display(bundle, raw=True)

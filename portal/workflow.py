"""The base of every workflow table: the document workflow (``TRANSITIONS``) and the handling of
an application (``STEPS``) are tables of steps, each naming the states it leaves from, the one it
leads to, its label, the text it asks for and the function that runs it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of a workflow table."""

    key: str  # its name in admin URLs and forms
    function: Callable  # the service that takes it
    sources: frozenset  # the states it leaves from; empty means any state
    target: str | None  # the state it leads to; None when the state stays
    label: str  # its button and page title
    text_label: str = ""  # when set, the step asks for this text and the service requires it
    text_missing: str = ""  # the message when that text is left empty
    refusal: str = ""  # the message when the step is refused for a reason of its own

    def leaves_from(self, status):
        """Whether something in ``status`` may take this step."""
        return not self.sources or status in self.sources

    def lacks_text(self, text):
        """Whether the step asks for a text and ``text`` is empty."""
        return bool(self.text_label) and not (text or "").strip()

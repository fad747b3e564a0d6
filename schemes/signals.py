"""Signals for the apps above: ``schemes`` must not import them (see DESIGN.md), so it says what
happened and they react — matching flags a paused or departed mentor's mentees for rematching.

Both are sent inside the transaction that made the change, with ``enrolment`` and ``on_date``.
"""

from django.dispatch import Signal

enrolment_paused = Signal()
enrolment_left = Signal()

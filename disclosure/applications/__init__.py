"""Disclosure on application (依申请公开).

Like ``disclosure.proposals`` it holds its models (tables of the ``disclosure`` app), the
working-day clock, services with the workflow table the admin reads, letters and fees, and the
citizen's side: the public views and urls (``ysqgk/``: guide, form, receipt, status, statistics),
their forms and per-address limits (``limits.py``). Templates are under
``templates/disclosure/applications/``, tests under ``tests/disclosure/applications/``.
"""

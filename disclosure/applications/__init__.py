"""Disclosure on application (依申请公开): where it lives, once it is built.

Empty for now. Like ``disclosure.proposals`` it will hold its models (tables of the
``disclosure`` app), services with the workflow table (each transition: its function, the
permission it needs, the states it leaves from, its label) that the admin reads, the admin, and
the public views with their urls; its templates go under ``templates/disclosure/applications/``
and its tests under ``tests/disclosure/applications/``.
"""

"""The project and its kernel.

The project: ``settings``, the root ``urls``, ``wsgi``/``asgi``, the home page (``views``) and
the ``seed_demo`` command. They wire the apps together and may import any of them.

Everything else in ``portal/`` is the kernel that every app uses: the audit log, the
working-day calendar, HTML sanitising, site settings, media and control-character checks,
staff roles, login protection, who a client is and the rate limiter. The kernel imports
nothing from ``catalog`` or ``disclosure`` (roles name their permissions as strings); domain
code that reacts to kernel events lives in the app that owns the model. tests/portal/test_kernel_imports.py holds this rule.
"""

"""What parts of the portal register with the kernel, so that neither the kernel nor the document
core has to know them by name.

Each part calls these from its app's ``ready()`` (or the wiring that stands for it):

- ``admin_view(model_label, route, name, view, label=None)``: one more admin page under a model's
  admin (``admin:<app>_<model>_<name>``); ``view`` a ``portal.admin_pages.AdminPage`` class,
  which receives the model admin. A model admin
  that serves registered pages lists ``admin_views(model)`` in its ``get_urls`` and may link the
  ones with a ``label`` from its change list (``admin_links``).
- ``column_page(slug, flag, url=None)``: a catalogue column with this slug is the home of a
  part's own public page; the column's page gets ``flag`` in its context, and, given ``url`` (a
  URL name, with a query string after "?" if any), the tree and listings of columns lead to
  that page.
- ``column_content(expression)``: ``expression()`` gives a boolean query expression telling, of
  a column, whether it is not blank (空白栏目 are not shown to the public): the document core
  judges, the catalogue's admin marks the blank ones.
- ``audit_action(value, label)``: an action the audit log records (each part's ``actions.py``).
- ``grant(role, *permissions)``: what a role may do in a part (``portal.roles`` keeps the roles
  in step with the grants).
- ``counted_page(view_name, kind, node=None, document=None)``: a public page the visit
  statistics (``portal.visits``) count as ``kind``, with the URL arguments naming its column or
  document; ``visit_names(kind, names)``: ``names(ids)`` → {id: (name, url or None)} for the
  statistics page.
- ``todo_panel(title, items)``: a panel of the admin index telling a user what waits for them;
  ``items(user)`` returns [{"label", "count", "url"}] or nothing for users it is not for.
"""

from dataclasses import dataclass

from django.urls import path, reverse


@dataclass(frozen=True)
class AdminView:
    route: str
    name: str
    view: object
    label: str | None


_admin_views = {}
_admin_url_factories = {}
_admin_link_entries = {}
_column_flags = {}
_column_urls = {}


def admin_view(model_label, route, name, view, label=None):
    views = _admin_views.setdefault(model_label.lower(), {})
    views[name] = AdminView(route, name, view, label)


def admin_views(model):
    return list(_admin_views.get(model._meta.label_lower, {}).values())


def admin_pages(model_label, urls):
    """Pages a part serves under a model's admin with URL patterns of its own:
    ``urls(model_admin)`` returns them (names ``<app>_<model>_…``)."""
    _admin_url_factories.setdefault(model_label.lower(), []).append(urls)


def admin_link(model_label, label, url_name, allowed=None):
    """A link from the model's change list to a part's page, for users ``allowed(user)``."""
    _admin_link_entries.setdefault(model_label.lower(), []).append((label, url_name, allowed))


def admin_urls(model_admin):
    """URL patterns of the pages registered for ``model_admin``'s model."""
    opts = model_admin.model._meta
    patterns = []
    for urls in _admin_url_factories.get(opts.label_lower, []):
        patterns.extend(urls(model_admin))
    for registered in admin_views(model_admin.model):
        patterns.append(
            path(
                registered.route,
                registered.view.as_page(model_admin),
                name=f"{opts.app_label}_{opts.model_name}_{registered.name}",
            )
        )
    return patterns


def admin_links(model, user=None):
    """(label, URL name) of the registered pages of ``model`` that its change list links for
    ``user``."""
    opts = model._meta
    links = [
        (label, url_name)
        for label, url_name, allowed in _admin_link_entries.get(opts.label_lower, [])
        if allowed is None or (user is not None and allowed(user))
    ]
    return links + [
        (registered.label, f"admin:{opts.app_label}_{opts.model_name}_{registered.name}")
        for registered in admin_views(model)
        if registered.label
    ]


def column_page(slug, flag, url=None):
    _column_flags[slug] = flag
    if url:
        _column_urls[slug] = url


def column_page_url(slug):
    """The address of the part's page a column with ``slug`` leads to, or None."""
    name = _column_urls.get(slug) if slug else None
    if name is None:
        return None
    name, _, query = name.partition("?")
    return reverse(name) + (f"?{query}" if query else "")


_column_content = []


def column_content(expression, holding):
    """Registers how to tell a blank column: ``expression()``, a boolean expression of a column
    in a query; ``holding(pks, enough=None)``, the set of the columns ``pks`` that are not
    blank (with ``enough``: asked in order until that many are found)."""
    _column_content[:] = [(expression, holding)]


def column_content_expression():
    """The registered expression telling whether a column is not blank, or None."""
    return _column_content[0][0]() if _column_content else None


def columns_with_content(pks, enough=None):
    """The columns of ``pks`` (a list of pks) that are not blank, all of them when no part says;
    with ``enough``, those found asking in order until that many are."""
    return _column_content[0][1](pks, enough=enough) if _column_content else set(pks)


def column_page_slugs():
    """The slugs of the columns that are the homes of a part's own page."""
    return set(_column_flags)


def column_flags(slug):
    """The context flags of a column with ``slug`` ({flag: True} or {})."""
    flag = _column_flags.get(slug)
    return {flag: True} if flag else {}


# -- audit actions --------------------------------------------------------------------------------

_audit_actions = {}


def audit_action(value, label):
    """Register an audit event's action (``value`` as stored, ``label`` as shown); returns
    ``value``. A part declares its actions in its own ``actions`` module, so a new one needs no
    migration of the audit log."""
    _audit_actions[value] = label
    return value


def audit_action_label(value):
    return _audit_actions.get(value, value)


def audit_action_choices():
    return sorted(_audit_actions.items(), key=lambda item: str(item[1]))


# -- roles and what they may do ------------------------------------------------------------------

_grants = {}


def grant(role, *permissions):
    """Let ``role`` (a staff group) hold ``permissions`` ("app_label.codename"); the role exists
    once anything grants it something. ``portal.roles.sync_roles`` sets each group to exactly
    what is granted."""
    held = _grants.setdefault(role, [])
    held.extend(p for p in permissions if p not in held)


def grants():
    """{role: [permission, ...]} as granted so far."""
    return {role: list(permissions) for role, permissions in _grants.items()}


# -- models that moved to another app ------------------------------------------------------------

_former_labels = {}


def former_model_label(label, model):
    """``model`` was stored as ``label`` ("app.Model") before it moved app: the audit log's
    older events name it so (they are never rewritten)."""
    _former_labels[label] = model


def model_for_label(label):
    """The model a stored label names, its former labels included; None when none does."""
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return next(
            (known for former, known in _former_labels.items() if former.lower() == label.lower()),
            None,
        )


def stored_labels(model):
    """Every label the audit log may hold for ``model``: its own and its former ones."""
    return [model._meta.label] + [
        label for label, known in _former_labels.items() if known is model
    ]


# -- what waits for each user (the admin index) ---------------------------------------------------

_todo_panels = []


def todo_panel(title, items):
    """A panel of the admin index: ``items(user)`` → [{"label", "count", "url"}], or an empty
    list for a user the panel is not for."""
    if all(existing is not items for _title, existing in _todo_panels):
        _todo_panels.append((title, items))


def todo_for(user):
    """[(title, items)] of the panels with something for ``user``, in the order registered."""
    return [(title, rows) for title, items in _todo_panels if (rows := items(user))]


# -- visit statistics ---------------------------------------------------------------------------

_counted_pages = {}
_visit_names = {}


def counted_page(view_name, kind, node=None, document=None):
    """The public page ``view_name`` (``namespace:name``) is counted as ``kind``; ``node`` and
    ``document`` name its URL arguments holding a column's or a document's id."""
    _counted_pages[view_name] = (kind, node, document)


def counted_page_kind(view_name):
    """(kind, node argument, document argument) of a counted page, or None."""
    return _counted_pages.get(view_name)


def visit_names(kind, names):
    """``names(ids)`` returns {id: (name, url or None)} of the columns or documents of ``kind``."""
    _visit_names[kind] = names


def visit_names_for(kind, ids):
    names = _visit_names.get(kind)
    return names(ids) if names is not None and ids else {}

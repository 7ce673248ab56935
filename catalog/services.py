"""Deleting and moving catalogue columns: scope over the whole subtree, audited, under the tree lock.

The admin (single delete, bulk delete, drag-and-drop and the change form's parent field) calls
these; so should any other writer acting for a staff member.
"""

from django.utils.translation import gettext as _

from catalog import actions as catalog_actions
from catalog.models import CatalogNode
from catalog.tree import TreeChangeRefused, tree_write_lock
from portal import audit
from portal.models import AuditEvent


def out_of_scope_nodes(node, user):
    """Columns in ``node``'s subtree that ``user`` may not change (call with the tree lock held)."""
    subtree = node.subtree()
    return subtree.exclude(pk__in=subtree.for_staff(user).values("pk"))


def check_may_change_subtree(node, user, verb):
    """Raise TreeChangeRefused unless ``user`` may change every column of ``node``'s subtree."""
    foreign = out_of_scope_nodes(node, user).order_by("lft").first()
    if foreign is None:
        return
    if foreign.pk == node.pk:
        message = _("您无权%(verb)s栏目“%(name)s”。")
    else:
        message = _("栏目“%(name)s”下有您无权修改的栏目（如“%(other)s”），不能%(verb)s。")
    raise TreeChangeRefused(message % {"name": node.name, "other": foreign.name, "verb": verb})


def check_may_file_under(parent, user):
    """Raise TreeChangeRefused unless ``user`` may put columns under ``parent`` (None: a new root)."""
    if parent is not None and not CatalogNode.objects.filter(pk=parent.pk).for_staff(user).exists():
        raise TreeChangeRefused(_("您无权在栏目“%(name)s”下放置栏目。") % {"name": parent.name})


def check_may_delete(node, user):
    """Raise TreeChangeRefused unless ``user`` may delete ``node`` and its subtree now."""
    with tree_write_lock():
        node.refresh_tree_fields()
        check_may_change_subtree(node, user, _("删除"))
        node.check_holds_no_documents()


def delete_column(node, user):
    """Delete ``node`` and the columns beneath it, if the user may change them all and no
    document is filed or listed in any of them; one audit event names what went."""
    with tree_write_lock():
        node.refresh_tree_fields()
        check_may_change_subtree(node, user, _("删除"))
        node.check_holds_no_documents()
        descendants = node.subtree().count() - 1
        # Written before the delete, in its transaction: a refused delete leaves no event.
        audit.record(
            AuditEvent.Action.DELETE,
            actor=user,
            obj=node,
            details={"path": node.path_names(), "descendants": descendants},
        )
        node.delete()


def delete_columns(nodes, user):
    """Delete several columns in one transaction; a column already gone with an ancestor is
    skipped. Returns how many of ``nodes`` were deleted by their own operation."""
    deleted = 0
    with tree_write_lock():
        for node in sorted(nodes, key=lambda n: (n.tree_id, n.lft)):
            if not CatalogNode.objects.filter(pk=node.pk).exists():
                continue
            delete_column(node, user)
            deleted += 1
    return deleted


def move_column(node, target, position, user):
    """Move ``node`` (with its subtree) relative to ``target`` as django-mptt's ``move_node``."""
    with tree_write_lock():
        node.refresh_from_db()
        target.refresh_from_db()
        new_parent = target if position in ("first-child", "last-child") else target.parent
        check_may_change_subtree(node, user, _("移动"))
        check_may_file_under(new_parent, user)
        before = node.path_names()
        CatalogNode.objects.move_node(node, target, position)
        node.refresh_from_db()
        record_move(node, before, user)
    return node


# A change of these reaches every column beneath: the name is in their paths, hiding a column
# hides its subtree from the public, and the agency decides who may change it.
SUBTREE_FIELDS = ("name", "is_visible", "agency_id")


def changed_subtree_fields(stored, node):
    """The fields of ``SUBTREE_FIELDS`` that differ between the stored column and ``node``."""
    return [name for name in SUBTREE_FIELDS if getattr(stored, name) != getattr(node, name)]


def save_column(node, user):
    """Save ``node`` from a form. A change of its parent is a move, and a change of its name,
    visibility or agency reaches its subtree: each needs the right to change every column beneath,
    and a move is audited."""
    with tree_write_lock():
        stored = CatalogNode.objects.filter(pk=node.pk).first() if node.pk else None
        if stored is not None and changed_subtree_fields(stored, node):
            check_may_change_subtree(stored, user, _("修改"))
        if stored is None or stored.parent_id == node.parent_id:
            node.save()
            return node
        check_may_change_subtree(stored, user, _("移动"))
        check_may_file_under(node.parent, user)
        before = stored.path_names()
        node.save()
        record_move(node, before, user)
    return node


def record_move(node, before, user):
    audit.record(
        catalog_actions.MOVE,
        actor=user,
        obj=node,
        details={
            "from": before,
            "to": node.path_names(),
            "descendants": node.subtree().count() - 1,
        },
    )

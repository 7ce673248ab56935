from django.apps import AppConfig
from django.db.models.signals import post_delete, post_init, post_save
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("公开信息")

    def ready(self):
        from catalog.models import Agency
        from disclosure.documents import page_scopes
        from disclosure.documents.filters import forget_filter_choices
        from disclosure.documents.models import Document, Genre, Topic
        from disclosure.proposals.models import (
            CongressSession,
            Proposal,
            ProposalReply,
            ReplyClassification,
        )
        from portal import page_cache
        from portal.control_characters import refuse_control_characters_in

        refuse_control_characters_in(self)
        self.register_parts()
        # A document's changes forget the pages showing it (its scopes); every other model a
        # public page shows forgets every cached page on a save or delete.
        page_scopes.connect()
        page_cache.invalidate_on_change(
            Topic,
            Genre,
            Proposal,
            Proposal.co_units.through,
            ProposalReply,
            CongressSession,
            ReplyClassification,
        )
        page_cache.next_due_from(Document.objects.next_scheduled_at)
        post_init.connect(remember_agency_name, sender=Agency, dispatch_uid="search-agency-name")
        post_save.connect(
            reindex_agency_documents, sender=Agency, dispatch_uid="search-agency-renamed"
        )
        for model in (Topic, Genre, Agency):
            post_save.connect(
                forget_filter_choices, sender=model, dispatch_uid=f"filters-{model.__name__}-save"
            )
            post_delete.connect(
                forget_filter_choices, sender=model, dispatch_uid=f"filters-{model.__name__}-delete"
            )

    def register_parts(self):
        """What the features add to the kernel's registry and the document core's pages."""
        from disclosure.documents import actions as document_actions  # noqa: F401
        from disclosure.documents import column_tree, link_admin
        from disclosure.documents import dashboard as documents_dashboard
        from disclosure.documents import roles as document_roles
        from disclosure.documents import visits as document_visits
        from disclosure.documents.models.counts import not_blank
        from disclosure.proposals import actions as proposal_actions  # noqa: F401
        from disclosure.proposals import dashboard as proposals_dashboard
        from disclosure.proposals import roles as proposal_roles
        from disclosure.proposals.services import REPLY_NODES
        from disclosure.reports import actions as report_actions  # noqa: F401
        from disclosure.reports import compliance_admin, inspection_admin
        from disclosure.reports import roles as report_roles
        from disclosure.reports.annual_services import REPORT_NODE_SLUG
        from disclosure.reports.guide import GUIDE_NODE_SLUG
        from disclosure.site_import import admin as site_import_admin
        from portal import registry

        for roles in (document_roles, report_roles, proposal_roles):
            roles.register()
        registry.todo_panel(_("公开文件待办"), documents_dashboard.todo)
        registry.todo_panel(_("建议提案办理提醒"), proposals_dashboard.todo)
        compliance_admin.register()
        link_admin.register()
        inspection_admin.register()
        site_import_admin.register()
        registry.column_content(not_blank, holding=column_tree.columns_holding)
        document_visits.register()
        # The columns that are the home of a part's page lead there (the tree, the listings) and
        # are shown to the public even with no document of their own.
        for slug, flag, url in (
            (GUIDE_NODE_SLUG, "guides_column", "disclosure:guides"),
            (REPORT_NODE_SLUG, "reports_column", "disclosure:annual-reports"),
            (REPLY_NODES["congress"], "replies_column", "disclosure:proposals?body=congress"),
            (REPLY_NODES["cppcc"], "replies_column", "disclosure:proposals?body=cppcc"),
        ):
            registry.column_page(slug, flag, url)


def remember_agency_name(sender, instance, **kwargs):
    instance._loaded_name = instance.name


def reindex_agency_documents(sender, instance, created, **kwargs):
    """Documents are found by their agency's name: a renamed agency's documents are re-indexed."""
    from disclosure.documents.models import Document
    from disclosure.documents.search.analysis import reindex

    if not created and instance._loaded_name != instance.name:
        reindex(Document.objects.filter(agency=instance))
    instance._loaded_name = instance.name

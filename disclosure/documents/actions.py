"""The audit log's actions of the documents and their workflow."""

from django.utils.translation import gettext_lazy as _

from portal.registry import audit_action

SUBMIT = audit_action("submit", _("提交审核"))
PUBLISH = audit_action("publish", _("发布"))
RETURN = audit_action("return", _("退回修改"))
WITHDRAW = audit_action("withdraw", _("撤回"))
EDIT_PUBLISHED = audit_action("edit_published", _("修改已发布内容"))
PROPOSE_REVISION = audit_action("propose_revision", _("提出修订"))
APPROVE_REVISION = audit_action("approve_revision", _("批准修订"))
REJECT_REVISION = audit_action("reject_revision", _("驳回修订"))
ADD_ATTACHMENT = audit_action("add_attachment", _("添加附件"))
REPLACE_ATTACHMENT = audit_action("replace_attachment", _("替换附件"))
DELETE_ATTACHMENT = audit_action("delete_attachment", _("删除附件"))
BACKDATE = audit_action("backdate", _("补录历史发布日期"))
IMPORT_DOCUMENTS = audit_action("import_documents", _("迁移旧网站文件"))
WORD_OVERRIDE = audit_action("word_override", _("放行严重错敏词"))
LOAD_WORD_RULES = audit_action("load_word_rules", _("载入错敏词库"))

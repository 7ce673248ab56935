"""The 错敏词 dictionary in the admin: reviewers keep it, editors read it. Every change is
audited (switching a 严重 entry off would otherwise let a publication skip the 放行理由)."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.documents import actions as document_actions
from disclosure.documents.models import WordRule
from disclosure.documents.models.words import WRONG_MAX_LENGTH, WRONG_MIN_LENGTH
from portal import audit


def record_change(user, change, rules, fields=None):
    """The audit event of a change (add, change, delete, activate, deactivate) of ``rules``."""
    details = {
        "change": change,
        "rules": [{"wrong": r.wrong, "right": r.right, "severity": r.severity} for r in rules],
    }
    if fields is not None:
        details["fields"] = fields
    audit.record(document_actions.WORD_RULE_CHANGE, actor=user, details=details)


class WordRuleForm(forms.ModelForm):
    class Meta:
        model = WordRule
        fields = ["wrong", "right", "severity", "exceptions", "note", "active"]
        widgets = {"exceptions": forms.Textarea(attrs={"rows": 3, "cols": 40})}
        error_messages = {
            "wrong": {
                "required": _("请填写错误写法。"),
                "max_length": _("错误写法最多%(limit_value)d个字（现有%(show_value)d个）。"),
            },
        }

    def clean_wrong(self):
        wrong = self.cleaned_data["wrong"].strip()
        if len(wrong) < WRONG_MIN_LENGTH or len(wrong) > WRONG_MAX_LENGTH:
            raise forms.ValidationError(
                _("错误写法须为%(min)s至%(max)s个字。")
                % {"min": WRONG_MIN_LENGTH, "max": WRONG_MAX_LENGTH}
            )
        taken = WordRule.objects.filter(wrong=wrong).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("“%(wrong)s”已在词库中，请修改原有条目。") % {"wrong": wrong}
            )
        return wrong


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    form = WordRuleForm
    list_display = ["wrong", "right", "severity", "active", "note", "updated_by", "updated_at"]
    list_filter = ["severity", "active"]
    list_select_related = ["updated_by"]
    search_fields = ["wrong", "right", "note", "exceptions"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    actions = ["activate_selected", "deactivate_selected"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        fields = list(form.changed_data) if change else None
        record_change(request.user, "change" if change else "add", [obj], fields)

    def delete_model(self, request, obj):
        record_change(request.user, "delete", [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            record_change(request.user, "delete", list(queryset))
            super().delete_queryset(request, queryset)

    @admin.action(description=_("启用所选错敏词"), permissions=["change"])
    def activate_selected(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description=_("停用所选错敏词"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        self._set_active(request, queryset, False)

    def _set_active(self, request, queryset, active):
        # revision moves with the flag: the dictionary's version, and so the matcher, follow.
        with transaction.atomic():
            switched = list(queryset.exclude(active=active).select_for_update(of=("self",)))
            count = WordRule.objects.filter(pk__in=[r.pk for r in switched]).update(
                active=active,
                updated_by=request.user,
                updated_at=timezone.now(),
                revision=F("revision") + 1,
            )
            if switched:
                record_change(request.user, "activate" if active else "deactivate", switched)
        done = _("已启用 %(n)d 个错敏词。") if active else _("已停用 %(n)d 个错敏词。")
        self.message_user(request, done % {"n": count}, messages.SUCCESS)

"""The 错敏词 dictionary staff keep: wrong forms, their right forms and how serious each is.

The matcher (``disclosure.documents.wording``) reads the active rules, compiled once per
dictionary version (``WordRule.objects.version()``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext_lazy as _

EXCEPTIONS_MAX = 50  # lines of exceptions a rule may list
WRONG_MIN_LENGTH = 2  # one character would flag correct text everywhere
WRONG_MAX_LENGTH = 50


class WordRuleQuerySet(models.QuerySet):
    def version(self):
        """What changes whenever a rule is added, changed, switched off or deleted (one query):
        the number of rules, the highest id (an addition after a deletion raises it), the sum
        of the rules' ``revision`` counters (every save raises one: app servers whose clocks
        differ cannot hide a change) and the latest change (ids and counters a rolled-back
        transaction used may come again)."""
        row = WordRule.objects.aggregate(
            count=Count("pk"), top=Max("pk"), saves=Sum("revision"), at=Max("updated_at")
        )
        return (row["count"], row["top"], row["saves"], row["at"])


class WordRule(models.Model):
    class Severity(models.TextChoices):
        SEVERE = "severe", _("严重")
        HINT = "hint", _("提示")

    wrong = models.CharField(
        _("错误写法"),
        max_length=WRONG_MAX_LENGTH,
        unique=True,
        help_text=_("文中出现即提示，按原样匹配（%(min)s至%(max)s个字）。")
        % {"min": WRONG_MIN_LENGTH, "max": WRONG_MAX_LENGTH},
    )
    right = models.CharField(
        _("正确写法"),
        max_length=WRONG_MAX_LENGTH * 2,
        blank=True,
        help_text=_("建议改为的写法；留空表示该词不应使用。"),
    )
    severity = models.CharField(
        _("严重程度"),
        max_length=8,
        choices=Severity.choices,
        default=Severity.HINT,
        help_text=_("“严重”的词在发布前须改正，或由审核人员填写理由后放行；“提示”仅提醒。"),
    )
    exceptions = models.TextField(
        _("例外写法"),
        blank=True,
        help_text=_(
            "包含错误写法但本身正确的词语，每行一个，出现时不提示。正确写法包含错误写法时自动视为例外。"
        ),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    revision = models.PositiveIntegerField(
        _("修改次数"), default=0, editable=False, help_text=_("每次保存加一，词库版本由此得出。")
    )

    objects = WordRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("错敏词")
        verbose_name_plural = _("错敏词库")
        ordering = ["wrong"]

    def __str__(self):
        return f"{self.wrong} → {self.right}" if self.right else self.wrong

    def save(self, *args, **kwargs):
        # The dictionary's version counts saves (version()); a bulk update raises it itself.
        self.revision += 1
        super().save(*args, **kwargs)

    def exception_list(self):
        """The right form and the listed exceptions that contain the wrong form."""
        listed = [line.strip() for line in self.exceptions.splitlines()]
        return [text for text in [self.right, *listed] if text and self.wrong in text]

    def clean(self):
        self.wrong = (self.wrong or "").strip()
        self.right = (self.right or "").strip()
        errors = {}
        if len(self.wrong) < WRONG_MIN_LENGTH:
            errors["wrong"] = _("错误写法至少%(n)s个字。") % {"n": WRONG_MIN_LENGTH}
        elif self.wrong == self.right:
            errors["right"] = _("正确写法与错误写法相同。")
        else:
            stray = [
                line.strip()
                for line in self.exceptions.splitlines()
                if line.strip() and self.wrong not in line
            ]
            listed = [line for line in self.exceptions.splitlines() if line.strip()]
            if stray:
                errors["exceptions"] = _("例外写法须包含错误写法“%(wrong)s”：%(lines)s") % {
                    "wrong": self.wrong,
                    "lines": "、".join(stray),
                }
            elif len(listed) > EXCEPTIONS_MAX or any(len(line) > 100 for line in listed):
                # Every exception is a form the matcher holds: a bound keeps checks fast.
                errors["exceptions"] = _("例外写法最多%(n)s行，每行不超过100个字。") % {
                    "n": EXCEPTIONS_MAX
                }
        if errors:
            raise ValidationError(errors)

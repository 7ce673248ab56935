"""Choices from a tree (columns, topics) as staff read them: each with its path, in tree order.

A tree model offers ``tree_labels()``: {pk: (depth, "上级 / 本级")} for every row, in tree order,
read in one query. The fields, the list filter and the autocomplete below all read it, so a
choice is never a bare name that several branches share (21 topics are called 其他).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

INDENT = "\u3000"  # an ideographic space per level: the select reads as a tree


def indented(depth, label):
    return INDENT * depth + label


class TreeChoiceIterator(ModelChoiceIterator):
    """The queryset's rows in tree order, labelled with their indented paths."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = {obj.pk: obj for obj in self.queryset}
        for pk, (depth, label) in self.queryset.model.tree_labels().items():
            if pk in rows:
                value = ModelChoiceIteratorValue(self.field.prepare_value(rows[pk]), rows[pk])
                yield (value, indented(depth, label))


class TreeChoiceMixin:
    iterator = TreeChoiceIterator

    def label_from_instance(self, obj):
        # One object (an autocomplete's selected value, an error message): its path.
        return obj.path_label()


class TreeModelChoiceField(TreeChoiceMixin, forms.ModelChoiceField):
    """A column or topic select whose options read "综合政务 / 其他", in tree order."""


class TreeModelMultipleChoiceField(TreeChoiceMixin, forms.ModelMultipleChoiceField):
    """The many-valued TreeModelChoiceField."""


class TreeListFilter(admin.RelatedFieldListFilter):
    """A list filter over a column or topic field, with paths in tree order."""

    def field_choices(self, field, request, model_admin):
        labels = field.related_model.tree_labels().items()
        offered = model_admin.get_field_queryset(None, field, request)
        if offered is not None:  # the related admin narrows the choices
            offered = set(offered.values_list("pk", flat=True))
        return [
            (pk, indented(depth, label))
            for pk, (depth, label) in labels
            if offered is None or pk in offered
        ]


class TreeAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, answering with paths for tree models (所属栏目: "政务公开 / …")."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        tree_labels = getattr(self.model_admin.model, "tree_labels", None)
        if tree_labels is not None:
            if not hasattr(self, "labels"):
                self.labels = tree_labels()  # once per request, not per row
            result["text"] = self.labels.get(obj.pk, (0, result["text"]))[1]
        return result


def autocomplete_view(request):
    """admin.site's autocomplete endpoint, through TreeAutocompleteJsonView."""
    return TreeAutocompleteJsonView.as_view(admin_site=admin.site)(request)

"""The public search page's form: the query, the facet filters, the order and the page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.documents.models import Document
from disclosure.documents.search import analysis

MAX_PAGE = 1000


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=1000)
    agency = forms.IntegerField(required=False, min_value=1)
    node = forms.IntegerField(required=False, min_value=1)
    topic = forms.IntegerField(required=False, min_value=1)
    genre = forms.IntegerField(required=False, min_value=1)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    validity = forms.ChoiceField(required=False, choices=[("", ""), *Document.Validity.choices])
    sort = forms.ChoiceField(
        required=False, choices=[("relevance", "相关度"), ("date", "发布日期")]
    )
    page = forms.IntegerField(required=False, min_value=1)

    def clean_page(self):
        # Past the last page the paginator shows the last one; the cap keeps the offset sane.
        page = self.cleaned_data.get("page")
        return min(page, MAX_PAGE) if page else page

    def clean_q(self):
        return (self.cleaned_data.get("q") or "")[: analysis.MAX_QUERY_CHARS]

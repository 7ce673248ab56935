"""网页元数据 (《政府网站发展指引》, GB/T 42147-2022): the ``<meta name=…>`` tags every public page
carries, computed once per page from what its view gives the template.

Every page: SiteName, SiteDomain, SiteIDCode (网站标识码). A column's page and an article's page:
ColumnName, ColumnType (and ColumnDescription when the column has one). An article's page:
ArticleTitle, PubDate (YYYY-MM-DD HH:MM), ContentSource (发布机构), Keywords, Author,
Description, Url. A template fills them with ``{% page_meta column_name=… article_title=… %}``
in its ``page_meta`` block; base.html writes the site's alone.
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html_join

register = template.Library()

# The names in the order the guide lists them.
SITE = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN = ("ColumnName", "ColumnDescription", "ColumnType")
ARTICLE = (
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Url",
)
DESCRIPTION_CHARS = 200


def pub_date(moment):
    """A publication moment as the guide writes it: local time, YYYY-MM-DD HH:MM."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def site_values(context):
    site, request = context.get("site"), context.get("request")
    host = request.get_host() if request is not None else ""
    return {
        "SiteName": getattr(site, "site_name", ""),
        "SiteDomain": getattr(site, "site_domain", "") or host,
        "SiteIDCode": getattr(site, "site_code", ""),
    }


@register.simple_tag(takes_context=True)
def page_meta(context, **given):
    """The page's metadata tags, values escaped; a name without a value is left out.

    ``given``: column_name, column_type, column_description, article_title, pub_date (a
    datetime), source, keywords, author, description, url (a path; written absolute)."""
    request = context.get("request")
    url = given.get("url")
    if url and request is not None:
        url = request.build_absolute_uri(url)
    description = " ".join(str(given.get("description") or "").split())
    values = {
        **site_values(context),
        "ColumnName": given.get("column_name"),
        "ColumnDescription": given.get("column_description"),
        "ColumnType": given.get("column_type"),
        "ArticleTitle": given.get("article_title"),
        "PubDate": pub_date(given.get("pub_date")),
        "ContentSource": given.get("source"),
        "Keywords": given.get("keywords"),
        "Author": given.get("author"),
        "Description": description[:DESCRIPTION_CHARS],
        "Url": url,
    }
    names = [*SITE, *COLUMN, *ARTICLE]
    return format_html_join(
        "\n  ",
        '<meta name="{}" content="{}">',
        ((name, str(values[name])) for name in names if values.get(name)),
    )

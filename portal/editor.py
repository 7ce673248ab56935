"""The rich-text editor widget every body field uses."""

from ckeditor_uploader.widgets import CKEditorUploadingWidget
from django.forms import Media


class EditorWidget(CKEditorUploadingWidget):
    """CKEditor with uploads sent by XHR (settings: filebrowserUploadMethod) and the CSRF token."""

    @property
    def media(self):
        return super().media + Media(js=["js/editor-csrf.js"])

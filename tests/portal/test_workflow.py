"""Both workflow tables, the documents' TRANSITIONS and the applications' STEPS, are tables of
``portal.workflow.Step``."""

from disclosure.applications.models import Application
from disclosure.applications.services import STEPS
from disclosure.documents.models import Document
from disclosure.documents.services import TRANSITIONS
from portal.workflow import Step


def test_every_row_of_both_tables_is_a_step_named_by_its_key():
    for table in (TRANSITIONS, STEPS):
        assert all(isinstance(step, Step) and key == step.key for key, step in table.items())


def test_states_left_from_and_texts_asked_for_follow_the_base():
    publish = TRANSITIONS["publish"]
    assert publish.leaves_from(Document.Status.SUBMITTED)
    assert not publish.leaves_from(Document.Status.DRAFT)
    # The portal itself publishes demo data and migrated documents straight from a draft.
    assert publish.leaves_from(Document.Status.DRAFT, by_system=True)
    assert TRANSITIONS["reject"].leaves_from(Document.Status.WITHDRAWN)  # no sources: any state
    assert TRANSITIONS["withdraw"].lacks_text("  ")
    assert not TRANSITIONS["withdraw"].lacks_text("内容有误")
    assert not TRANSITIONS["submit"].lacks_text("")

    extend = STEPS["extend"]
    assert extend.leaves_from(Application.Status.IN_PROGRESS)
    assert not extend.leaves_from(Application.Status.SUPPLEMENT)
    assert extend.lacks_text("")
    assert extend.open_for(Application(status=Application.Status.IN_PROGRESS, extension_days=0))
    assert not extend.open_for(
        Application(status=Application.Status.IN_PROGRESS, extension_days=20)
    )

"""The test letters in ``letters/``: each ``NN_shape.txt`` beside ``NN_shape.json``, which gives
the real layout it follows and every field the letter states (null where it states none).

Run as a script to print the parser's per-field accuracy over the set:

    DJANGO_DEBUG=1 .venv/bin/python -m tests.disclosure.proposals.letter_set
"""

import json
from collections import Counter
from datetime import date
from pathlib import Path

FOLDER = Path(__file__).parent / "letters"
OUTCOMES = ("right", "wrong", "missing")


def letters():
    """(name, text, spec) for every test letter, in file-name order."""
    for path in sorted(FOLDER.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        yield path.stem, text, spec


def expected_value(name, value):
    if name == "letter_date" and value:
        return date.fromisoformat(value)
    return value


def field_outcomes(parsed, spec):
    """{field: "right" | "wrong" | "missing"} for every field of the letter and its body.

    "missing": the letter states it and the parser found nothing; "wrong": the parser found
    another value, or a value where the letter states none."""
    outcomes = {}
    for name, value in spec["expected"].items():
        want, got = expected_value(name, value), parsed.values.get(name)
        empty = got in (None, "", [])
        if want in (None, "", []):
            outcomes[name] = "right" if empty else "wrong"
        else:
            outcomes[name] = "right" if got == want else "missing" if empty else "wrong"
    outcomes["body"] = body_outcome(parsed.values.get("body") or "", spec)
    return outcomes


def body_outcome(body, spec):
    if spec.get("no_body"):
        return "right" if not body else "wrong"
    if not body:
        return "missing"
    wanted = all(piece in body for piece in spec.get("body_contains", []))
    unwanted = any(piece in body for piece in spec.get("body_excludes", []))
    counted = all(body.count(piece) == n for piece, n in spec.get("body_count", {}).items())
    return "right" if wanted and counted and not unwanted else "wrong"


def accuracy(parse):
    """{field: Counter(right=…, wrong=…, missing=…)} over the whole set."""
    table = {}
    for _name, text, spec in letters():
        for field, outcome in field_outcomes(parse(text), spec).items():
            table.setdefault(field, Counter())[outcome] += 1
    return table


def accuracy_table(parse):
    """The per-field accuracy as lines of text, one per field and one in total."""
    table = accuracy(parse)
    lines = [f"{'field':16} {'right':>5} {'wrong':>5} {'missing':>7}"]
    total = Counter()
    for field, counts in table.items():
        total.update(counts)
        lines.append(f"{field:16} " + " ".join(f"{counts[o]:>{max(5, len(o))}}" for o in OUTCOMES))
    lines.append(
        f"{'all fields':16} " + " ".join(f"{total[o]:>{max(5, len(o))}}" for o in OUTCOMES)
    )
    return lines


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from disclosure.proposals.letters import parse_reply_letter

    count = len(list(letters()))
    print(f"{count} letters in {FOLDER}")
    print("\n".join(accuracy_table(parse_reply_letter)))

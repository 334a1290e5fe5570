"""Lint by shape: templates that differ only in the digits of entry names, and in
listener-rule priorities, share cfn-lint's verdict when it is clean.

The service stacks of one blueprint are the same template with the service's name and its
route's priority changed (``svc001`` -> ``svc002``, ``Priority: 2`` -> ``3``). A template's
*shape* is its exact text with every occurrence of the names of the entries it was made
from (as written, and as they appear in logical IDs) replaced by a token numbered by first
appearance, and each distinct listener-rule priority by one too. The names' own letters,
hyphens and underscores stay in the key as they are; only their digits are generalised
(each to ``0``). So two templates of one shape differ in nothing but digit values inside
entry names, at the same positions, with the same lengths, and priority values:

- every string keeps its length (cfn-lint's ``minLength``/``maxLength`` and the template
  limits see the same numbers);
- every string keeps its letters and punctuation, so a pattern's literal words (``aws:``,
  ``xn--``, ``-s3alias``) and letter classes match alike;
- names are renamed one-to-one, so references, duplicates and unused parameters are the same;
- a priority stays an integer in the one range ListenerRule's schema allows, 1 to 50,000
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenerrule.html),
  and equal priorities stay equal.

What could still tell two digits apart is a pattern with a digit range in a place a name
reaches; tests/test_lint_shape.py lints names of every length a name may have, with every
digit in every place, and finds the same findings each time. Only a *clean* verdict is
shared: a template whose shape has findings is linted alone, so findings are always
cfn-lint's own, located in their own template.

Standard library only: the shapes are computed before cfn-lint is needed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection

from .naming import stem

#: ListenerRule's ``Priority``: "Minimum: 1, Maximum: 50000" (the page above; the same in
#: cfn-lint's provider schema, which tests/test_lint_shape.py reads).
PRIORITY_RANGE = (1, 50_000)
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"

_PRIORITY = re.compile(r'"Priority": (\d+)')
_DIGIT = re.compile(r"\d")


def _priorities(text: str) -> list[int] | None:
    """The listener rules' priorities in the order they appear in ``text``; None when any
    other ``"Priority": N`` is there too, or one is out of range (then no shape)."""
    written = [int(m.group(1)) for m in _PRIORITY.finditer(text)]
    if not written:
        return []
    try:
        data = json.loads(text)
        rules = [
            r.get("Properties", {}).get("Priority")
            for r in data.get("Resources", {}).values()
            if r.get("Type") == LISTENER_RULE
        ]
    except (ValueError, AttributeError):
        return None
    low, high = PRIORITY_RANGE
    given = [p for p in rules if isinstance(p, int) and not isinstance(p, bool)]
    if len(given) != len(rules) or sorted(given) != sorted(written):
        return None  # a priority that is not a plain integer, or another "Priority"
    if not all(low <= p <= high for p in written):
        return None
    return written


def shape(text: str, names: Collection[str]) -> str | None:
    """The shape of ``text`` made from entries called ``names``: the text with the names
    and priorities tokenised, then the names' signatures. None: ``text`` has no shape
    (it is then linted alone)."""
    priorities = _priorities(text)
    if priorities is None or "\x00" in text:
        return None
    order: dict[str, int] = {}

    def priority(match: re.Match[str]) -> str:
        number = order.setdefault(f"#{match.group(1)}", len(order))
        return f'"Priority": "\x00{number}\x00"'

    shaped = _PRIORITY.sub(priority, text) if priorities else text
    spelled = {form for name in names if name for form in (name, stem(name)) if form}
    if spelled:
        longest_first = sorted(spelled, key=lambda s: (-len(s), s))
        pattern = re.compile("|".join(re.escape(s) for s in longest_first))

        def token(match: re.Match[str]) -> str:
            return f"\x00{order.setdefault(match.group(0), len(order))}\x00"

        shaped = pattern.sub(token, shaped)
    signature = [_DIGIT.sub("0", s) if not s.startswith("#") else "#" for s in order]
    return shaped + "\x00\x00" + json.dumps(signature)


def shape_key(head: bytes, text: str, names: Collection[str]) -> str | None:
    """The cache key of ``text``'s shape (``head``: cfn-lint's version, the region and the
    rules, as for the content key)."""
    shaped = shape(text, names)
    if shaped is None:
        return None
    return hashlib.sha256(b"shape\0" + head + shaped.encode()).hexdigest()

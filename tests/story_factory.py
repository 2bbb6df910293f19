"""Valid story files for build tests, with only the fields a test cares about spelled out.

Each type's required fields get plain defaults, so a test reads as the facts
it is about: "a failure in London about data sharing, from site X".
"""

from __future__ import annotations

import json
import re
from typing import Any

_DATE_RE = re.compile(r'"(\d{4}-\d{2}-\d{2})"')

TYPE_FIELDS: dict[str, dict[str, Any]] = {
    "patient-story": {
        "consent": {
            "reference": "CN-2017-001",
            "legal_basis": "explicit-consent",
            "obtained": "2015-01-02",
            "reviewed_final_text": True,
            "scope": ["website", "feeds"],
            "withdrawal_contact": "stories-team@example.org",
        }
    },
    "failure": {
        "what_we_tried": "A shared record for community nurses.",
        "what_happened": "It stalled on agreements between partners.",
        "what_we_learned": "Agree the purpose with clinicians before choosing technology.",
        "what_we_would_do_differently": "Start with one patient group and one agreement.",
    },
    "case-study": {
        "context": "Residents arrived in hospital without their paperwork.",
        "change": "A bag travels with each resident to hospital and back.",
        "evaluation_method": "Before-and-after audit of admissions.",
        "evidence_level": "before-and-after",
        "status": "ongoing",
        "buddy_contact": "newcaremodels-team@example.org",
    },
    "resource": {"resource_kind": "guide"},
}


def story_text(
    title: str,
    type_: str = "case-study",
    date: str = "2025-02-16",
    *,
    care_models: tuple[str, ...] = ("enhanced-health-in-care-homes",),
    settings: tuple[str, ...] = ("social-care",),
    region: str = "london",
    barriers: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    body: str = "The story in a few sentences.",
    **extra: Any,
) -> str:
    meta: dict[str, Any] = {
        "title": title,
        "summary": f"Summary of {title}, long enough to pass the length check.",
        "type": type_,
        "date": date,
        "care_models": list(care_models),
        "settings": list(settings),
        "region": region,
    }
    if barriers or type_ == "failure":
        meta["barriers"] = list(barriers or ("time-and-resources",))
    if tags:
        meta["tags"] = list(tags)
    meta.update(TYPE_FIELDS[type_])
    meta.update(extra)
    # JSON is valid YAML flow syntax, and quoting every value sidesteps YAML's type traps.
    # Dates stay unquoted so YAML reads them as dates, as a contributor would write them.
    lines = [_DATE_RE.sub(r"\1", f"{key}: {json.dumps(value, ensure_ascii=False)}") for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"

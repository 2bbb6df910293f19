"""The kinds of story, their names and what each is for: plain data, no pydantic.

The content model (model.py) builds a class for each kind from these names;
the command line offers them as choices without importing the model, so that
`carehub check` starts quickly.
"""

from __future__ import annotations

STORY_TYPES = ("patient-story", "failure", "case-study", "resource")
TYPE_LABELS = {
    "patient-story": "Patient story",
    "failure": "Failure write-up",
    "case-study": "Case study",
    "resource": "Resource",
}
# Where each kind's stories live under stories/ (`carehub new`, the share form and the benchmark's corpus);
# a story may sit in any folder, as its type is in its front matter.
TYPE_FOLDERS = {
    "patient-story": "patient-stories",
    "failure": "failures",
    "case-study": "case-studies",
    "resource": "resources",
}
TYPE_DESCRIPTIONS = {
    "patient-story": "A person's experience of care before and after a change, told with their consent.",
    "failure": "What was tried, what happened, what was learned, and what the team would do differently.",
    "case-study": "A change in care: the context, what changed, outcomes and how they were evaluated.",
    "resource": "A guide, toolkit, template or download that helps others adopt a change.",
}

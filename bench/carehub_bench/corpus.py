"""A deterministic synthetic corpus of valid stories, for benchmarks and scale tests.

Why: the hub should stay fast as it grows to thousands of stories, and that
can only be measured on a corpus of that size.  Real stories cannot be copied
in bulk (consent, licences), so this module writes made-up ones that look like
the real thing to every stage of the pipeline: ~860-word bodies with headings,
lists, quotes and links to other stories; front matter of every type using
every vocabulary in data/vocabularies.yml; outcomes; sites in data/sites/ that
the stories point at.  The same ``n`` and ``seed`` always give the same bytes.

Every story is marked ``illustrative: true`` and holds no personal data: no
numbers that look like NHS numbers or phone numbers, no postcodes except the
synthetic ZZ99 3VZ under a reviewed privacy exception, no email addresses
outside contact fields (and those are role mailboxes on example.org).

This module must not validate or build anything: it only writes files.  The
tests run ``carehub check`` over what it writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from carehub.check import vocabularies
from carehub.check.storytypes import TYPE_FOLDERS

# Roughly the mix the hub expects: case studies lead, failures are encouraged.
TYPE_WEIGHTS = {"case-study": 4, "failure": 2, "patient-story": 2, "resource": 1}
FIRST_DATE = dt.date(2015, 1, 5)
LAST_DATE = dt.date(2025, 6, 30)  # safely before any "today" the tests pin
WORDS_MEAN, WORDS_SD = 860, 110

_PREFIXES = [
    "Ash",
    "Bram",
    "Cal",
    "Dun",
    "El",
    "Fen",
    "Gar",
    "Hol",
    "Kel",
    "Lan",
    "Mar",
    "Nor",
    "Oak",
    "Pen",
    "Rad",
    "Sal",
    "Thorn",
    "Wen",
    "Wick",
    "Yar",
    "Brook",
    "Cold",
    "Elm",
    "Frid",
    "Hart",
    "Lyn",
    "Mill",
    "Stan",
    "Tal",
    "West",
]
_SUFFIXES = [
    "bridge",
    "by",
    "combe",
    "den",
    "field",
    "ford",
    "ham",
    "hurst",
    "ley",
    "mouth",
    "stead",
    "ton",
    "well",
    "worth",
    "wick",
    "minster",
    "dale",
    "gate",
]
_ORG_KINDS = (
    "Community Partnership",
    "Health and Care Alliance",
    "Integrated Care Partnership",
    "Primary Care Network",
    "Community Health Services",
    "Care Homes Vanguard",
    "Urgent Care Network",
    "Hospitals Group",
    "Neighbourhood Team",
    "Place Partnership",
)
_ACTIVITIES = (
    "a single point of access for community nursing",
    "weekly multidisciplinary huddles in general practice",
    "a red bag that travels with care home residents to hospital",
    "health coaching for people with long-term conditions",
    "a care plan that the person holds and shares",
    "discharge to assess beds in the community",
    "a frailty hub beside the emergency department",
    "a virtual ward for people with heart failure",
    "pharmacist reviews of medicines in care homes",
    "social prescribing link workers in every practice",
    "an acute physician rota shared across three hospitals",
    "self-managing neighbourhood nursing teams",
    "a joint triage line with the ambulance service",
    "video consultations for care home residents",
    "a falls response service that stays until help arrives",
    "a community mental health crisis café",
    "extended GP access in the evenings and at weekends",
    "a shared radiology reporting network",
    "trusted assessors for hospital discharge",
    "a digital shared care record for community teams",
    "an integrated respiratory service for chronic lung disease",
    "walking groups for people at risk of diabetes",
    "specialist nurses for children with complex needs",
    "volunteer befrienders for people living alone",
)
_PROBLEMS = (
    "people were admitted to hospital because nobody else could see them quickly",
    "residents arrived in hospital without the information staff needed",
    "the same person told their story to six different teams",
    "discharge waited days for a package of care",
    "general practice could not keep up with demand",
    "community teams worked in separate buildings with separate records",
    "too many calls to NHS 111 ended with an ambulance",
    "waiting lists for therapy had grown for three years",
    "staff turnover left gaps on every rota",
    "carers did not know who to ask for help at night",
    "the hospital had no way to see a care plan written in the community",
    "small hospitals struggled to keep specialist skills on site",
)
_ROLES = (
    "district nurses",
    "care home managers",
    "GPs",
    "paramedics",
    "the discharge team",
    "pharmacists",
    "social workers",
    "volunteers",
    "commissioners",
    "the information governance lead",
    "practice managers",
    "physiotherapists",
    "occupational therapists",
    "health coaches",
    "carers",
    "families",
    "healthcare assistants",
    "the local authority",
    "consultant geriatricians",
    "receptionists",
    "the voluntary sector",
    "community matrons",
)
_VERBS = (
    "agreed",
    "tested",
    "changed",
    "measured",
    "shared",
    "rewrote",
    "simplified",
    "planned",
    "reviewed",
    "stopped",
    "started",
    "funded",
    "trained",
    "asked",
)
_THINGS = (
    "the referral form",
    "the rota",
    "a shared plan",
    "the handover checklist",
    "the data sharing agreement",
    "the contract",
    "the patient leaflet",
    "the training day",
    "the business case",
    "the evaluation plan",
    "the weekly huddle",
    "the escalation route",
    "the discharge letter",
    "the phone line",
    "the care home visit",
    "the outcome measures",
)
_ADJECTIVES = (
    "simple",
    "local",
    "shared",
    "weekly",
    "small",
    "joint",
    "careful",
    "honest",
    "early",
    "practical",
    "visible",
    "quiet",
    "steady",
    "clear",
)
_OPENERS = (
    "At first",
    "Within a month",
    "By the second winter",
    "After the pilot",
    "In the first year",
    "Over the summer",
    "Before the launch",
    "Later on",
    "Looking back",
    "To begin with",
)
_LESSONS = (
    "Start with one shared patient group and grow from there.",
    "Agree the purpose with clinicians before choosing the technology.",
    "Share early results, even when they are not final.",
    "Put the evaluation plan in place before the first patient is seen.",
    "Give teams time away from the day job to make the change.",
    "Ask patients and carers what matters before deciding what to measure.",
    "Name one information governance lead in every partner organisation.",
    "Write down what failed as carefully as what worked.",
    "Borrow from places that have done it already; they were glad to help.",
    "Keep the language plain: people stopped using the scheme when it had an acronym.",
    "Contracts of one year were too short to change anything that mattered.",
    "A buddy site saved months of work on forms and training.",
)
_QUOTES = (
    "We stopped asking who owned the problem and started asking who could help today.",
    "The bag itself was the easy part; agreeing who packs it took six meetings.",
    "People noticed that the same faces came back, and they trusted us more for it.",
    "We measured too many things at first and learned little from any of them.",
    "Nobody told us we could not do it; we had assumed the rules said no.",
    "The first month was hard, but by the third nobody wanted to go back.",
)
_MEASURES = (
    ("Emergency admissions from care homes", "admissions a month", False),
    ("Average length of hospital stay", "days", False),
    ("People seen within two hours", "%", True),
    ("Ambulance conveyances after falls", "conveyances a month", False),
    ("Patients reporting they felt involved in decisions", "%", True),
    ("Delayed transfers of care", "bed days a month", False),
    ("Staff who would recommend the service", "%", True),
    ("Readmissions within 30 days", "%", False),
    ("Face-to-face GP appointments available", "appointments a week", True),
    ("Time from referral to first visit", "days", False),
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one story will be, decided before any body is written (bodies link to other stories)."""

    index: int
    slug: str
    type: str
    title: str
    date: dt.date
    place: str
    activity: str


def place_names() -> list[str]:
    """Made-up English place names (Ashbridge, Kelcombe …): no real place is implied."""
    return [p + s for p in _PREFIXES for s in _SUFFIXES]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def scaffold_project(dest: Path, source: Path) -> Path:
    """A project like tests/conftest.py's make_project: ``source``'s config, data and pages, no stories."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("data", "docs", "overrides"):
        if (source / name).exists():
            shutil.copytree(source / name, dest / name, dirs_exist_ok=True)
    shutil.copy(source / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "stories").mkdir(exist_ok=True)
    (dest / "overrides").mkdir(exist_ok=True)  # mkdocs.yml names it as custom_dir, even while empty
    return dest


def generate_corpus(root: Path, n: int, *, seed: int = 2017, sites: int | None = None) -> list[Path]:
    """Write ``n`` valid stories under ``root``/stories and their sites under ``root``/data/sites.

    ``root`` must hold data/vocabularies.yml.  Returns the story paths written, in index order.
    """
    vocab, problems = vocabularies.load(root / "data" / "vocabularies.yml", root)
    if any(p.is_error for p in problems):
        raise ValueError(f"data/vocabularies.yml has problems: {problems[0].message}")
    rng = random.Random(seed)
    ids = {name: list(vocab[name].ids) for name in vocabularies.NAMES}
    site_ids = _write_sites(root, rng, ids, sites if sites is not None else max(4, min(400, n // 12)))
    places = place_names()
    types = [t for t, w in TYPE_WEIGHTS.items() for _ in range(w)]
    span = (LAST_DATE - FIRST_DATE).days
    plans: list[_Plan] = []
    for index in range(n):
        # The first four cover every type, so even a tiny corpus has one of each.
        story_type = list(TYPE_WEIGHTS)[index] if index < len(TYPE_WEIGHTS) else rng.choice(types)
        place = rng.choice(places)
        activity = rng.choice(_ACTIVITIES)
        title = _title(rng, story_type, activity, place)
        slug = f"{slugify(title)[:60].rstrip('-')}-{index + 1}"
        date = FIRST_DATE + dt.timedelta(days=rng.randrange(span))
        plans.append(_Plan(index, slug, story_type, title, date, place, activity))
    written: list[Path] = []
    for plan in plans:
        meta = _front_matter(rng, plan, ids, site_ids)
        body = _body(rng, plan, plans)
        if plan.index % 40 == 7:  # exercise the reviewed privacy exception path
            body += (
                "\n\nThe test system filled every address field with the dummy postcode ZZ99 3VZ, "
                "which is why the old forms were hard to search.\n"
            )
            meta["privacy_exceptions"] = [
                {"text": "ZZ99 3VZ", "reason": "The synthetic postcode used by NHS test systems, not an address."}
            ]
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100) + "---\n\n" + body
        folder = root / "stories" / TYPE_FOLDERS[plan.type] / str(plan.date.year)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{plan.slug}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _write_sites(root: Path, rng: random.Random, ids: dict[str, list[str]], count: int) -> list[str]:
    directory = root / "data" / "sites"
    directory.mkdir(parents=True, exist_ok=True)
    names = place_names()
    rng.shuffle(names)
    site_ids: list[str] = []
    for number in range(count):
        place = names[number % len(names)]
        kind_name = _ORG_KINDS[number % len(_ORG_KINDS)]
        site_id = f"{slugify(place)}-{slugify(kind_name)}" + (f"-{number}" if number >= len(names) else "")
        care_models = rng.sample(ids["care_models"], k=rng.choice((1, 1, 2)))
        region = rng.choice([r for r in ids["regions"] if r != "national"] or ids["regions"])
        data: dict[str, Any] = {
            "name": f"{place} {kind_name} (synthetic)",
            "kind": rng.choice(("organisation", "place", "partnership")),
            "care_models": care_models,
            "region": region,
            "vanguard": rng.random() < 0.4,
            "summary": f"A made-up site in the benchmark corpus, working on {rng.choice(_ACTIVITIES)}.",
            "contact": f"newcaremodels-{site_id}@example.org",
            "website": f"https://example.org/sites/{site_id}/",
        }
        (directory / f"{site_id}.yml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
        site_ids.append(site_id)
    return site_ids


def _title(rng: random.Random, story_type: str, activity: str, place: str) -> str:
    short = activity[0].upper() + activity[1:]
    if story_type == "failure":
        options = (f"Why {activity} stalled in {place}", f"What went wrong with {activity} in {place}")
    elif story_type == "patient-story":
        options = (f"My experience of {activity} in {place}", f"Home sooner: {activity} in {place}")
    elif story_type == "resource":
        options = (f"A toolkit for {activity}", f"How to set up {activity}: a guide from {place}")
    else:
        options = (f"{short} in {place}", f"{place}: {activity}")
    title = rng.choice(options)
    return title if len(title) <= 100 else title[:97].rsplit(" ", 1)[0]


def _pick(rng: random.Random, values: list[str], low: int, high: int) -> list[str]:
    return rng.sample(values, k=min(len(values), rng.randint(low, high)))


def _front_matter(rng: random.Random, plan: _Plan, ids: dict[str, list[str]], site_ids: list[str]) -> dict[str, Any]:
    kind = plan.type
    meta: dict[str, Any] = {
        "title": plan.title,
        "summary": (
            f"How {plan.place} approached {plan.activity}, what changed for people and staff, "
            f"and what others can copy. {rng.choice(_LESSONS)}"
        )[:260],
        "type": kind,
        "date": plan.date,
    }
    if rng.random() < 0.25:
        meta["updated"] = min(plan.date + dt.timedelta(days=rng.randint(10, 400)), LAST_DATE)
    meta["organisation"] = f"{plan.place} {rng.choice(_ORG_KINDS)}"
    meta["authors"] = [f"{rng.choice(_ROLES).capitalize()} team"]
    meta["care_models"] = _pick(rng, ids["care_models"], 1, 2)
    meta["settings"] = _pick(rng, ids["settings"], 1, 3)
    meta["region"] = rng.choice(ids["regions"])
    barriers = _pick(rng, ids["barriers"], 1 if kind == "failure" else 0, 3)
    if barriers:
        meta["barriers"] = barriers
    meta["tags"] = _pick(rng, ids["tags"], 1, 4)
    if site_ids:
        meta["site"] = rng.choice(site_ids)
        if rng.random() < 0.3:
            meta["adopted_from"] = rng.sample(site_ids, k=min(len(site_ids), rng.randint(1, 2)))
    if kind != "resource" or rng.random() < 0.3:
        meta["outcomes"] = [_outcome(rng, plan) for _ in range(rng.randint(1, 3))]
    meta["licence"] = rng.choice(ids["licences"])
    meta["illustrative"] = True
    meta["sources"] = [
        {"title": f"{plan.place} evaluation report (synthetic)", "url": f"https://example.org/reports/{plan.slug}"}
    ]
    if kind == "patient-story":
        obtained = plan.date - dt.timedelta(days=rng.randint(7, 120))
        meta["consent"] = {
            "reference": f"CN-{obtained.year}-{plan.index + 1}",
            "legal_basis": rng.choice(ids["legal_bases"]),
            "obtained": obtained,
            "reviewed_final_text": True,
            "scope": _pick(rng, ids["consent_scopes"], 1, 3),
            "withdrawal_contact": "stories-team@example.org",
        }
    elif kind == "failure":
        meta["what_we_tried"] = f"To introduce {plan.activity} across {plan.place} within a year."
        meta["what_happened"] = (
            f"{rng.choice(_OPENERS)}, {rng.choice(_PROBLEMS)}, and the work stalled for {rng.randint(3, 14)} months."
        )
        meta["what_we_learned"] = " ".join(rng.sample(_LESSONS, 2))
        meta["what_we_would_do_differently"] = " ".join(rng.sample(_LESSONS, 2))
    elif kind == "case-study":
        meta["context"] = f"In {plan.place}, {rng.choice(_PROBLEMS)}."
        meta["change"] = f"The partners introduced {plan.activity}, starting with {rng.choice(_ROLES)}."
        meta["evaluation_method"] = (
            f"Monthly figures compared for {rng.randint(6, 18)} months before and after, with interviews."
        )
        meta["evidence_level"] = rng.choice(ids["evidence_levels"])
        meta["status"] = rng.choice(ids["statuses"])
        meta["buddy_contact"] = "newcaremodels-team@example.org"
    else:
        meta["resource_kind"] = rng.choice(ids["resource_kinds"])
        meta["downloads"] = [
            {
                "title": f"{plan.title[:60]} ({fmt})",
                "href": f"https://example.org/downloads/{plan.slug}.{ext}",
                "format": fmt,
            }
            for fmt, ext in rng.sample((("PDF", "pdf"), ("Word", "docx"), ("Spreadsheet", "xlsx")), 2)
        ]
    return meta


def _outcome(rng: random.Random, plan: _Plan) -> dict[str, Any]:
    measure, unit, higher = rng.choice(_MEASURES)
    before = round(rng.uniform(12, 90), 1)
    change = rng.uniform(0.05, 0.4) * (1 if higher else -1)
    year = plan.date.year
    return {
        "measure": measure,
        "before": before,
        "after": round(before * (1 + change), 1),
        "unit": unit,
        "period": f"{year - 2}/{str(year - 1)[2:]} against {year - 1}/{str(year)[2:]}",
        "source": "Local audit (synthetic figures)",
        "higher_is_better": higher,
    }


def _sentence(rng: random.Random, plan: _Plan) -> str:
    role, other = rng.sample(_ROLES, 2)
    forms = (
        f"{rng.choice(_OPENERS)}, {role} {rng.choice(_VERBS)} {rng.choice(_THINGS)} with {other}.",
        f"The {rng.choice(_ADJECTIVES)} part was {rng.choice(_THINGS)}, which {role} {rng.choice(_VERBS)} twice.",
        f"Before the change, {rng.choice(_PROBLEMS)}.",
        f"{role.capitalize()} and {other} met every {rng.choice(('Monday', 'Wednesday', 'Friday'))} "
        f"to look at {rng.choice(_THINGS)}.",
        f"About {rng.randint(12, 95)}% of {role} said {rng.choice(_THINGS)} was {rng.choice(_ADJECTIVES)} enough.",
        f"In {plan.date.year - rng.randint(0, 2)}, {plan.place} {rng.choice(_VERBS)} {rng.choice(_THINGS)} "
        f"for {rng.randint(2, 40)} {rng.choice(('practices', 'care homes', 'wards', 'teams', 'neighbourhoods'))}.",
        f"People could still call NHS 111 or 999, but fewer needed to, because {other} {rng.choice(_VERBS)} "
        f"{rng.choice(_THINGS)} sooner.",
        f"We {rng.choice(_VERBS)} {rng.choice(_THINGS)} and {rng.choice(_VERBS)} {rng.choice(_THINGS)} "
        f"in the same {rng.choice(('week', 'month', 'quarter'))}.",
        f"It took {rng.randint(3, 26)} weeks for {role} to trust the {rng.choice(_ADJECTIVES)} process.",
        f"{rng.choice(_LESSONS)}",
    )
    return rng.choice(forms)


def _paragraph(rng: random.Random, plan: _Plan, sentences: int) -> str:
    return " ".join(_sentence(rng, plan) for _ in range(sentences))


def _body(rng: random.Random, plan: _Plan, plans: Sequence[_Plan]) -> str:
    target = max(400, int(rng.gauss(WORDS_MEAN, WORDS_SD)))
    others = rng.sample(plans, k=min(len(plans), 4))
    links = [o for o in others if o.index != plan.index][:3]
    parts: list[str] = [
        f"This is a **synthetic** story from the benchmark corpus about {plan.activity} in {plan.place}. "
        + _paragraph(rng, plan, 3),
        "## The place and the problem",
        _paragraph(rng, plan, 5),
        _paragraph(rng, plan, 4),
        "## What we did",
        _paragraph(rng, plan, 4),
        "\n".join(f"- {rng.choice(_VERBS).capitalize()} {rng.choice(_THINGS)} with {r}" for r in rng.sample(_ROLES, 5)),
        "### Working with partners",
        _paragraph(rng, plan, 4),
        f"> {rng.choice(_QUOTES)}",
        "## What happened",
        _paragraph(rng, plan, 5),
    ]
    if links:
        parts.append(
            "We learned a lot from "
            + ", ".join(f"[{o.title}](/stories/{o.slug}/)" for o in links)
            + ", and from the people who wrote them."
        )
    if rng.random() < 0.2:
        parts.append(f"> [!NOTE]\n> Illustrative figures. {_sentence(rng, plan)}")
    parts.append("## What we learned")
    parts.append("\n".join(f"{n}. {lesson}" for n, lesson in enumerate(rng.sample(_LESSONS, 4), start=1)))
    words = sum(len(p.split()) for p in parts)
    while words < target - 25:
        paragraph = _paragraph(rng, plan, 4)
        parts.insert(-2, paragraph)
        words += len(paragraph.split())
    parts.append("## Find out more")
    parts.append(
        f"Read the [evaluation report](https://example.org/reports/{plan.slug}) or browse other stories about "
        f"[{plan.activity}](/stories/)."
    )
    return "\n\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/corpus", description="Write a synthetic project with N valid stories."
    )
    parser.add_argument("dest", type=Path, help="a new folder for the project")
    parser.add_argument("-n", type=int, default=1000, help="number of stories (default 1000)")
    parser.add_argument("--seed", type=int, default=2017, help="random seed (same seed, same bytes)")
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="project to copy config and data from")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        print(f"{args.dest} is not empty; choose a new folder.", file=sys.stderr)
        return 2
    scaffold_project(args.dest, args.source)
    paths = generate_corpus(args.dest, args.n, seed=args.seed)
    print(f"Wrote {len(paths)} stories to {args.dest / 'stories'}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

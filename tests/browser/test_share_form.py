"""The "share your story" form, driven in real Chromium: what it produces passes `carehub check`.

Uses the gates' session site (the repository built once, served on 127.0.0.1),
fills the form for every story type as a contributor would, reads the Markdown it shows, writes that into a fresh
project and checks it.  Also: the GOV.UK-style error summary, keyboard use, the
GitHub and e-mail links, no requests to anyone else, and the page without
JavaScript.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from carehub.check import privacy, safety
from carehub.check.catalogue import load_catalogue, story_body
from carehub.check.model import STORY_TYPES
from carehub.check.storytypes import TYPE_FOLDERS

from ..conftest import ROOT, make_project

pytestmark = [pytest.mark.browser, pytest.mark.build]


@pytest.fixture
def page(new_context: Callable[..., Any], site_url: str) -> Iterator[Any]:
    """The share page in a fresh context (the gates' fixtures: one build, one server, one Chromium)."""
    context = new_context()
    tab = context.new_page()
    tab.clock.set_fixed_time("2026-11-20T10:00:00")
    tab.goto(site_url + "contribute/share/")
    yield tab
    assert context.carehub_offsite == [], "the share page made requests to other sites"


def _fill_common(page: Any, title: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary", exact=True).fill(
        "A short account of a change in care, written through the share form for the tests."
    )
    page.locator("#f-organisation").fill("Example Community Partnership")
    page.locator("#f-care-models").get_by_label("Enhanced health in care homes").check()
    page.locator("#f-settings").get_by_label("Community services").check()
    page.locator("#f-settings").get_by_label("Social care").check()
    page.get_by_label("Region", exact=True).select_option("north-west")
    page.locator("#f-tags").get_by_label("Share early").check()
    page.get_by_label("Your story", exact=True).fill(
        "We changed how we work.\n\n## What happened\n\nIt went better than we hoped: "
        "people waited less, and staff said so too."
    )


def _fill_type(page: Any, story_type: str) -> None:
    if story_type == "patient-story":
        page.get_by_label("Consent reference").fill("CN-2026-007")
        page.locator("#f-consent-legal-basis").get_by_label("Explicit consent", exact=False).check()
        page.get_by_label("Date consent was obtained").fill("2026-11-01")
        page.get_by_label("The person has read and agreed the final text of their story").check()
        page.locator("#f-consent-scope").get_by_label("This website").check()
        page.locator("#f-consent-scope").get_by_label("Feeds and open data").check()
        page.get_by_label("Mailbox for withdrawing consent").fill("stories-team@example.org")
    elif story_type == "failure":
        page.locator("#f-barriers").get_by_label("Information governance and IT systems").check()
        page.get_by_label("What we tried").fill("To share records across six organisations in six months.")
        page.get_by_label("What happened").fill("Each organisation wanted its own agreement: it took a year.")
        page.get_by_label("What we learned").fill(
            "Agree the purpose first. " + "The technology was the easy part, and we should have said so. " * 3
        )
        page.get_by_label("What we would do differently").fill("Start with one patient group: then grow.")
    elif story_type == "case-study":
        page.get_by_label("Context").fill("Residents arrived at hospital without their papers.")
        page.get_by_label("Change", exact=True).fill("A red bag goes with each resident, and comes back with them.")
        page.get_by_label("Evaluation method").fill("Audit of admissions before and after, by the trust.")
        page.locator("#f-evidence-level").get_by_label("Before-and-after measures").check()
        page.locator("#f-status").get_by_label("Early").check()
        page.get_by_label("Mailbox for places that want to learn from you").fill("newcaremodels-team@example.org")
        page.get_by_role("button", name="Add an outcome").click()
        item = page.locator("[data-group=outcomes] [data-item]").first
        item.get_by_label("Measure").fill("Average length of stay")
        item.get_by_label("Before").fill("8.5")
        item.get_by_label("After").fill("6")
        item.get_by_label("Unit").fill("days")
        item.get_by_label("Period").fill("2015/16 against 2016/17")
        item.get_by_label("Source").fill("Trust dashboard")
    elif story_type == "resource":
        page.locator("#f-resource-kind").select_option("toolkit")
        page.get_by_role("button", name="Add a download").click()
        item = page.locator("[data-group=downloads] [data-item]").first
        item.get_by_label("Title").fill("The red bag toolkit")
        item.get_by_label("Web address").fill("https://www.example.org/red-bag-toolkit.pdf")
        item.get_by_label("Format").fill("PDF")
    page.get_by_role("button", name="Add a source").click()
    source = page.locator("[data-group=sources] [data-item]").first
    source.get_by_label("Title").fill("NHS Confederation: top tips, 2017")
    source.get_by_label("Web address").fill("https://www.nhsconfed.org/")


@pytest.mark.parametrize("story_type", STORY_TYPES)
def test_the_form_produces_a_story_that_passes_check(page: Any, story_type: str, tmp_path: Path) -> None:
    page.locator(f"#f-type-{story_type}").check()
    _fill_common(page, "We changed how we work: it's better")
    _fill_type(page, story_type)
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-errors").is_hidden(), page.locator("#share-errors").inner_text()
    assert page.evaluate("document.activeElement.id") == "share-result-title"
    markdown = page.locator("#share-markdown").input_value()
    filename = page.locator("#share-filename").inner_text()
    folder = TYPE_FOLDERS[story_type]
    assert filename == f"stories/{folder}/we-changed-how-we-work-its-better.md"

    project = make_project(tmp_path)
    (project / filename).parent.mkdir(parents=True)
    (project / filename).write_text(markdown, encoding="utf-8")
    catalogue = load_catalogue(project)
    assert [f"{p.line}:{p.code} {p.message}" for p in catalogue.problems] == [], markdown
    story = catalogue.stories[0]
    assert story.meta.type == story_type
    assert story.meta.date.isoformat() == "2026-11-20"
    assert list(story.meta.settings) == ["community-services", "social-care"]
    assert "## What happened" in story_body(project, story)

    github = urlsplit(page.locator("#share-github").get_attribute("href"))
    assert (github.netloc, github.path) == ("github.com", f"/carehub/carehub/new/main/stories/{folder}")
    query = parse_qs(github.query)
    assert query["filename"] == [Path(filename).name]
    assert query["value"] == [markdown]
    mail = page.locator("#share-email").get_attribute("href")
    assert mail.startswith("mailto:stories@carehub.example.org?subject=")
    assert markdown in unquote(mail)


def test_the_same_title_twice_gets_a_new_file_name(page: Any) -> None:
    page.locator("#f-type-resource").check()
    _fill_common(page, "Sharing learning: top tips from the vanguards")  # a story in the repository already
    page.locator("#f-resource-kind").select_option("guide")
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-filename").inner_text() == (
        "stories/resources/sharing-learning-top-tips-from-the-vanguards.md"
    )
    page.get_by_role("button", name="Change your answers").click()
    page.get_by_label("Title", exact=True).fill("Sharing learning: top tips")
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-filename").inner_text() == "stories/resources/sharing-learning-top-tips-2.md"


def test_errors_are_summarised_linked_and_announced(page: Any) -> None:
    assert page.get_by_role("button", name="Check and preview").is_hidden()  # choose a type first
    page.locator("#f-type-failure").check()
    page.get_by_label("Title", exact=True).fill("x" * 121)
    page.get_by_label("Summary", exact=True).fill("Too short")
    page.get_by_label("What we tried").fill("Something")
    page.get_by_role("button", name="Check and preview").click()
    summary = page.locator("#share-errors")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "share-errors"
    assert page.title().startswith("Error: ")
    links = summary.locator("a")
    messages = links.all_inner_texts()
    assert messages[0] == "“Title” must be 120 characters or fewer (it has 121)"
    assert "“Summary” must be at least 20 characters" in messages
    assert "Choose at least one option for “Care models”" in messages
    assert "Choose an option for “Region”" in messages
    assert "Choose at least one option for “Barriers”" in messages
    assert "Answer “What happened”" in messages
    assert "Write your story in “Your story”" in messages
    assert not any("What we tried" in m for m in messages)
    assert not any("Tags" in m or "Organisation" in m for m in messages)  # optional for a failure
    # Each field says what is wrong beside it, and is tied to its message for screen readers.
    title = page.locator("#f-title")
    assert title.get_attribute("aria-invalid") == "true"
    assert "f-title-error" in title.get_attribute("aria-describedby")
    assert page.locator("#f-title-error").text_content() == "Error: " + messages[0]
    # "Error: " is for screen readers only: the site's stylesheet (carehub.css) hides it from view.
    prefix = page.locator("#f-title-error span").bounding_box()
    assert prefix is not None and prefix["width"] <= 1 and prefix["height"] <= 1, prefix
    barriers = page.locator("#f-barriers")
    assert "f-barriers-error" in barriers.get_attribute("aria-describedby")
    # A link in the summary takes you to the field.
    links.filter(has_text="Barriers").click()
    assert page.evaluate("document.activeElement.id") == "f-barriers-1"
    # Fixing everything clears the summary.
    page.get_by_label("Title", exact=True).fill("A fixed title")
    page.get_by_label("Summary", exact=True).fill("Long enough to be a summary of the change.")
    page.locator("#f-care-models").get_by_label("Other new care models").check()
    page.locator("#f-settings").get_by_label("Acute").check()
    page.get_by_label("Region", exact=True).select_option("national")
    page.locator("#f-barriers").get_by_label("Organisational self-interest").check()
    for label in ("What happened", "What we learned", "What we would do differently"):
        page.get_by_label(label).fill("Something worth saying.")
    page.get_by_label("Your story", exact=True).fill("The story.")
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-errors").is_hidden()
    assert page.locator("[aria-invalid]").count() == 0
    assert not page.title().startswith("Error")


def test_patterns_from_the_schema_are_checked(page: Any) -> None:
    page.locator("#f-type-patient-story").check()
    page.get_by_label("Consent reference").fill("Mrs Smith")
    page.get_by_label("Mailbox for withdrawing consent").fill("not an address")
    page.get_by_label("Date consent was obtained").fill("2026-12-01")
    page.get_by_role("button", name="Check and preview").click()
    messages = page.locator("#share-errors a").all_inner_texts()
    assert "Enter a reference like CN-2017-014: capital letters, digits, - and / only for “Consent reference”" in (
        messages
    )
    assert "Enter an email address like stories-team@example.org for “Mailbox for withdrawing consent”" in messages
    assert "“Date consent was obtained” must be today or in the past" in messages
    assert "Tick “The person has read and agreed the final text of their story” to confirm it" in messages


def test_the_form_works_with_the_keyboard(page: Any) -> None:
    page.locator("#f-type-patient-story").focus()
    page.keyboard.press("ArrowDown")  # radios: arrow keys move the choice
    assert page.locator("#f-type-failure").is_checked()
    assert page.locator("#f-title").is_visible()
    assert page.locator("#f-consent").is_hidden()  # only a patient story asks about consent
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-title"
    page.keyboard.type("Typed without a mouse")
    assert page.locator("#f-title").input_value() == "Typed without a mouse"


def test_without_javascript_the_page_explains_the_other_routes(new_context: Callable[..., Any], site_url: str) -> None:
    context = new_context(javascript=False)
    page = context.new_page()
    page.goto(site_url + "contribute/share/")
    assert page.locator("[data-share-nojs]").is_visible()
    assert page.locator("#share-form").is_hidden()
    assert page.get_by_role("heading", name="Other ways to share").is_visible()
    assert page.get_by_text("By email, without a GitHub account").is_visible()


def test_the_published_schema_is_the_committed_one(site_url: str) -> None:
    with urllib.request.urlopen(site_url + "schema/story.schema.json") as response:
        published = response.read().decode()
    assert published == (ROOT / "schema" / "story.schema.json").read_text()


# -- the form screens for personal data as `carehub check` does ---------------------------------

PRIVACY_FIXTURES = ROOT / "tests" / "fixtures" / "privacy"
# Texts whose findings both copies of the detectors must agree on: the privacy fixtures' bodies and traps.
SCREENED_FIXTURES = ["nhs-number", "postcode-and-phone", "date-of-birth", "personal-email"]


def _screen_corpus() -> list[str]:
    texts = [
        (ROOT / "tests" / "fixtures" / "stories" / "invalid" / f"{name}.md").read_text(encoding="utf-8")
        for name in SCREENED_FIXTURES
    ]
    texts.append((ROOT / "tests" / "fixtures" / "stories" / "valid" / "false-positive-traps.md").read_text())
    birthdays = yaml.safe_load((PRIVACY_FIXTURES / "birthdays.yml").read_text(encoding="utf-8"))
    return texts + birthdays["flagged"] + birthdays["not_flagged"]


def test_the_forms_detectors_find_exactly_what_checks_find(page: Any) -> None:
    mailboxes = yaml.safe_load((PRIVACY_FIXTURES / "mailboxes.yml").read_text(encoding="utf-8"))
    addresses = mailboxes["role"] + mailboxes["personal"]
    in_browser = page.evaluate(
        "a => a.map(x => document.getElementById('share').carehubScreen.mailboxKind(x)[0])", addresses
    )
    assert in_browser == [privacy.looks_personal_email(a) for a in addresses]
    for patient in (False, True):
        for contact in (False, True):
            texts = _screen_corpus()
            found = page.evaluate(
                "([t, c, p]) => t.map(x => document.getElementById('share').carehubScreen"
                ".findPersonalData(x, c, p).map(f => f.code + ' ' + f.text))",
                [texts, contact, patient],
            )
            expected = [
                [f"{f.code} {f.text}" for f in privacy.find_personal_data(t, contact=contact, patient=patient)]
                for t in texts
            ]
            assert [sorted(f) for f in found] == [sorted(e) for e in expected]
            assert any(found)  # the corpus does hold personal data


def test_a_story_with_a_personal_email_is_stopped_before_anything_is_sent(page: Any) -> None:
    page.locator("#f-type-case-study").check()
    _fill_common(page, "We changed how we work")
    _fill_type(page, "case-study")
    page.get_by_label("Mailbox for places that want to learn from you").fill("j.bloggs@nhs.net")
    page.get_by_label("Your story", exact=True).fill("Ring the ward on 07700 900123 to find out more.")
    page.get_by_role("button", name="Check and preview").click()
    messages = page.locator("#share-errors a").all_inner_texts()
    assert any("j.bloggs@nhs.net" in m and "personal email address" in m for m in messages), messages
    assert any("07700 900123" in m and "phone number" in m for m in messages), messages
    assert page.locator("#share-result").is_hidden()
    assert page.locator("#share-github").get_attribute("href") == "#"  # no pull request can be opened
    # A team mailbox passes.
    page.get_by_label("Mailbox for places that want to learn from you").fill("fyldecoast.extensivecare@nhs.net")
    page.get_by_label("Your story", exact=True).fill("Write to the team mailbox to find out more.")
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-errors").is_hidden(), page.locator("#share-errors").inner_text()


def test_illustrative_a_chosen_date_and_a_privacy_exception_reach_the_file(page: Any, tmp_path: Path) -> None:
    page.locator("#f-type-case-study").check()
    _fill_common(page, "A switchboard number we are allowed to publish")
    _fill_type(page, "case-study")
    page.get_by_label("This is an illustrative example", exact=False).check()
    assert page.get_by_label("Date of the story").input_value() == "2026-11-20"  # today, until changed
    page.get_by_label("Date of the story").fill("2017-03-01")
    page.get_by_label("Your story", exact=True).fill("This is an illustrative example. Call 01632 960000.")
    page.get_by_role("button", name="Add a privacy exception").click()
    item = page.locator("[data-group=privacy_exceptions] [data-item]").first
    item.get_by_label("The exact text the check flagged").fill("01632 960000")
    item.get_by_label("Why it is not personal data").fill("The trust's published switchboard, not a person's number.")
    page.get_by_role("button", name="Check and preview").click()
    assert page.locator("#share-errors").is_hidden(), page.locator("#share-errors").inner_text()
    markdown = page.locator("#share-markdown").input_value()
    assert "illustrative: true" in markdown and "date: 2017-03-01" in markdown and "privacy_exceptions:" in markdown
    project = make_project(tmp_path)
    (project / "stories" / "story.md").write_text(markdown, encoding="utf-8")
    catalogue = load_catalogue(project)
    assert [p for p in catalogue.problems if p.is_error] == [], markdown
    assert catalogue.stories[0].meta.illustrative and catalogue.stories[0].meta.date.isoformat() == "2017-03-01"


def test_each_outcomes_errors_name_that_outcome(page: Any) -> None:
    page.locator("#f-type-case-study").check()
    _fill_common(page, "Two outcomes")
    _fill_type(page, "case-study")
    first = page.locator("[data-group=outcomes] [data-item]").first
    first.get_by_label("Before").fill("12%")
    page.get_by_role("button", name="Add an outcome").click()
    second = page.locator("[data-group=outcomes] [data-item]").nth(1)
    second.get_by_label("Measure").fill("Cost of a stay")
    second.get_by_label("Before").fill("£4,210")
    page.get_by_role("button", name="Check and preview").click()
    messages = page.locator("#share-errors a").all_inner_texts()
    number_errors = [m for m in messages if "Enter a number" in m]
    assert len(number_errors) == 2 and len(set(number_errors)) == 2, messages
    assert "outcome 1 (Average length of stay)" in number_errors[0]
    assert "outcome 2 (Cost of a stay)" in number_errors[1]


def test_a_long_title_makes_a_file_name_cut_at_a_word(page: Any) -> None:
    page.locator("#f-type-resource").check()
    _fill_common(page, "Extensive care for older people with several long-term conditions on the Fylde Coast")
    page.locator("#f-resource-kind").select_option("guide")
    page.get_by_role("button", name="Check and preview").click()
    name = Path(page.locator("#share-filename").inner_text()).stem
    assert name == "extensive-care-for-older-people-with-several-long-term"


# -- the form screens for unsafe markup as `carehub check` does ----------------------------------

INVALID = ROOT / "tests" / "fixtures" / "stories" / "invalid"
VALID = ROOT / "tests" / "fixtures" / "stories" / "valid"
UNSAFE_CODES = ("CH400", "CH401", "CH402")


def _markup_corpus() -> list[str]:
    """Every invalid fixture that check finds unsafe markup in, and the valid fixtures (which hold none)."""
    unsafe = [
        path.with_suffix(".md")
        for path in sorted(INVALID.glob("*.expected"))
        if any(code in path.read_text(encoding="utf-8") for code in UNSAFE_CODES) and path.with_suffix(".md").exists()
    ]
    assert len(unsafe) >= 5, unsafe
    return [p.read_text(encoding="utf-8") for p in unsafe + sorted(VALID.glob("*.md"))]


def test_the_forms_markup_screen_finds_exactly_what_checks_finds(page: Any) -> None:
    texts = _markup_corpus()
    found = page.evaluate(
        "t => t.map(x => document.getElementById('share').carehubScreen.findUnsafeMarkup(x)"
        ".map(f => f.code + ' ' + f.message + ' ' + f.hint))",
        texts,
    )
    expected = [[f"{u.code} {u.message} {u.hint}" for u in safety.find_unsafe_markup(t)] for t in texts]
    assert [sorted(f) for f in found] == [sorted(e) for e in expected]
    assert sum(map(bool, found)) >= 5  # the corpus does hold unsafe markup


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<script>alert(1)</script> We changed how we work.", "The HTML tag `<script>` is not allowed in stories."),
        ("Read [our report](javascript:alert(1)).", "A `javascript:` address is not allowed"),
        # (An attribute list `{: onerror=… }` is only text to GitHub's Markdown: a CH403 warning, not a block.)
        ('Our <mark onclick="alert(1)">first year</mark> went well.', "The event handler `onclick`"),
    ],
)
def test_a_story_with_unsafe_markup_is_stopped_before_anything_is_sent(page: Any, body: str, message: str) -> None:
    page.locator("#f-type-failure").check()
    _fill_common(page, "We changed how we work")
    _fill_type(page, "failure")
    page.get_by_label("Your story", exact=True).fill(body)
    page.get_by_role("button", name="Check and preview").click()
    messages = page.locator("#share-errors a").all_inner_texts()
    assert any(m.startswith("“Your story”: ") and message in m for m in messages), messages
    assert page.locator("#share-result").is_hidden()
    assert page.locator("#share-github").get_attribute("href") == "#"


@pytest.mark.parametrize("story_type", STORY_TYPES)
def test_every_type_is_stopped_on_a_personal_email(page: Any, story_type: str) -> None:
    """What `check` rejects with CH303 the form rejects, for every type, before a pull request can open."""
    page.locator(f"#f-type-{story_type}").check()
    _fill_common(page, "We changed how we work")
    _fill_type(page, story_type)
    page.get_by_label("Your story", exact=True).fill("To find out more, write to Jo at j.bloggs@nhs.net.")
    page.get_by_role("button", name="Check and preview").click()
    messages = page.locator("#share-errors a").all_inner_texts()
    assert any("j.bloggs@nhs.net" in m and "personal email address" in m for m in messages), messages
    assert page.locator("#share-result").is_hidden()
    assert page.locator("#share-github").get_attribute("href") == "#"
    assert "j.bloggs" not in unquote(page.locator("#share-email").get_attribute("href") or "")  # nor an e-mail

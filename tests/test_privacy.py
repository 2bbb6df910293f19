"""Personal-data detectors, with synthetic data only (see DEVELOPERS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carehub.check.privacy import apply_exceptions, find_personal_data, looks_personal_email, nhs_number_is_valid


def codes(text: str, *, contact: bool = False) -> list[str]:
    return [f.code for f in find_personal_data(text, contact=contact)]


@pytest.mark.parametrize("number", ["9990000018", "9990000026", "9990000034", "9990000042"])
def test_valid_test_range_nhs_numbers_pass_modulus_11(number: str) -> None:
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize("number", ["9990000019", "1234567890", "999000001", "99900000180", "999000001x"])
def test_numbers_failing_modulus_11_are_not_nhs_numbers(number: str) -> None:
    assert not nhs_number_is_valid(number)


@pytest.mark.parametrize("text", ["999 000 0018", "9990000018", "999-000-0018", "NHS no: 999 000 0026."])
def test_nhs_numbers_found_with_or_without_spaces(text: str) -> None:
    assert codes(text) == ["CH300"]


@pytest.mark.parametrize(
    "text",
    [
        "Call NHS 111 for advice, or call 999 in an emergency.",
        "Admissions fell by 45% between 2016 and 2017.",
        "The reference 1234567890 fails the checksum.",
        "From 1,204 to 998 bed days; 0.5 FTE; a 3:1 ratio at 12:30.",
        "The LA1 postcode district and the M6 motorway.",
        "Version 2.0.1 was released on 16/02/2017.",
    ],
)
def test_false_positive_traps_pass(text: str) -> None:
    assert codes(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("She lives at ZZ99 3VZ.", "CH301"),
        ("Ring 01632 960123.", "CH302"),
        ("Ring 07700 900456 after six.", "CH302"),
        ("Ring 020 7946 0999.", "CH302"),
        ("Ring +44 7700 900456.", "CH302"),
        ("Email jane.smith@example.org.", "CH303"),
        ("Date of birth: 03/03/1931.", "CH304"),
        ("She was born on 3 March 1931.", "CH304"),
        ("DOB 1931-03-03", "CH304"),
    ],
)
def test_personal_data_is_found(text: str, code: str) -> None:
    assert codes(text) == [code]


def test_role_mailboxes_are_allowed_only_in_contact_fields() -> None:
    assert codes("stories-team@example.org", contact=True) == []
    assert codes("stories-team@example.org") == ["CH303"]
    assert codes("jane.smith@example.org", contact=True) == ["CH303"]


@pytest.mark.parametrize(
    ("address", "personal"),
    [
        ("jane.smith@example.org", True),
        ("jsmith@example.org", True),
        ("england.newcaremodels@example.org", False),
        ("enquiries@example.org", False),
        ("vanguard-team@example.org", False),
    ],
)
def test_personal_email_heuristic(address: str, personal: bool) -> None:
    assert looks_personal_email(address) is personal


def test_exceptions_drop_exact_matches_and_report_use() -> None:
    findings = list(find_personal_data("Switchboard 01632 960000; mobile 07700 900123."))
    kept, used = apply_exceptions(findings, ["01632  960000"])
    assert [f.text for f in kept] == ["07700 900123"]
    assert used == {"01632  960000"}


# -- the mailbox rule and dates of birth, against the shared corpora (tests/fixtures/privacy) ----------

PRIVACY_FIXTURES = Path(__file__).parent / "fixtures" / "privacy"


def _corpus(name: str) -> dict[str, list[str]]:
    data = yaml.safe_load((PRIVACY_FIXTURES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_mailbox_corpus_is_large_and_covers_every_kind_of_domain() -> None:
    corpus = _corpus("mailboxes.yml")
    addresses = corpus["role"] + corpus["personal"]
    assert len(addresses) >= 60 and len(set(addresses)) == len(addresses)
    for kind in ("role", "personal"):
        domains = {a.split("@")[1] for a in corpus[kind]}
        assert {"nhs.net", "example.org"} <= domains and any(d.endswith(".gov.uk") for d in domains), kind


@pytest.mark.parametrize("address", _corpus("mailboxes.yml")["role"])
def test_team_service_and_programme_mailboxes_are_roles(address: str) -> None:
    assert looks_personal_email(address) is False
    assert codes(f"Write to {address}.", contact=True) == []


@pytest.mark.parametrize("address", _corpus("mailboxes.yml")["personal"])
def test_person_shaped_mailboxes_are_personal(address: str) -> None:
    assert looks_personal_email(address) is True
    [finding] = list(find_personal_data(address, contact=True))
    assert finding.code == "CH303"
    assert "patient.experience@nhs.net" in finding.hint  # says what a role mailbox looks like


@pytest.mark.parametrize("text", _corpus("birthdays.yml")["flagged"])
def test_an_age_or_birthday_beside_a_day_and_month_is_flagged_in_patient_stories(text: str) -> None:
    assert codes_patient(text) == ["CH304"]
    assert codes(text) == []  # other story types may say "the service turned 5 on 1 April"


@pytest.mark.parametrize("text", _corpus("birthdays.yml")["not_flagged"])
def test_dates_and_numbers_that_give_no_birthday_are_not_flagged(text: str) -> None:
    assert codes_patient(text) == []


def codes_patient(text: str) -> list[str]:
    return [f.code for f in find_personal_data(text, patient=True)]

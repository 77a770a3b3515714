"""The contact behind "Doe mee" (abcd.portrait.contact): one checked short line per wijk, set by the cooperative."""

from __future__ import annotations

import pytest

from abcd.errors import ValidationError
from abcd.permissions import PermissionDeniedError, Role, User
from abcd.portrait.contact import CONTACT_MAX, join_contact, meta_key, set_join_contact, validate_contact
from abcd.store import Store
from tests.helpers import BOTU

BUILDER = User("coop", Role.BUILDER, frozenset({BOTU}))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("buurtcoop@botu.nl", "buurtcoop@botu.nl"),
        ("  www.botu.nl/doe-mee  ", "www.botu.nl/doe-mee"),
        ("https://botu.nl/doe-mee?wijk=botu&x=1", "https://botu.nl/doe-mee?wijk=botu&x=1"),
        ("Tel: 010 - 123 45 67\t(ma-vr)", "Tel: 010 - 123 45 67 (ma-vr)"),
        ("mailto:ans@botu.nl", "mailto:ans@botu.nl"),
        (
            "Vraag naar Ans in het buurthuis: €5 koffie & 'n koek",
            "Vraag naar Ans in het buurthuis: €5 koffie & 'n koek",
        ),
        ("", ""),
        (None, ""),
    ],
)
def test_a_short_line_of_contact_is_kept_as_typed_with_its_spaces_tidied(typed: object, stored: str) -> None:
    assert validate_contact(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://botu.nl/bestand",
        "https://localhost/",
        "http:///pad",
        "<b>Doe mee</b>",
        "buurtcoop@botu.nl\nwww.botu.nl",
        "buurtcoop\u202e@botu.nl",  # a right-to-left override that turns text around
        "bel\x00ons",
    ],
)
def test_anything_else_is_refused_with_a_message_in_both_languages(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_contact(typed)
    assert caught.value.key == "error.contact_invalid"
    assert "contact" in caught.value.message("nl") and "contact" in caught.value.message("en")


def test_a_contact_longer_than_a_poster_line_is_refused() -> None:
    assert validate_contact("x" * CONTACT_MAX) == "x" * CONTACT_MAX
    with pytest.raises(ValidationError) as caught:
        validate_contact("x" * (CONTACT_MAX + 1))
    assert caught.value.key == "error.too_long" and "'contact voor 'Doe mee''" in str(caught.value)


def test_it_is_stored_per_wijk_and_an_empty_one_removes_it(botu_store: Store) -> None:
    assert join_contact(botu_store, BOTU) == ""
    assert set_join_contact(botu_store, BOTU, " buurtcoop@botu.nl ", user=BUILDER) == "buurtcoop@botu.nl"
    assert join_contact(botu_store, BOTU) == "buurtcoop@botu.nl"
    assert join_contact(botu_store, "oude-westen") == ""  # another wijk has its own
    with pytest.raises(ValidationError):
        set_join_contact(botu_store, BOTU, "javascript:alert(1)", user=BUILDER)
    assert join_contact(botu_store, BOTU) == "buurtcoop@botu.nl"  # a refused one changes nothing
    set_join_contact(botu_store, BOTU, "", user=BUILDER)
    assert join_contact(botu_store, BOTU) == ""


def test_only_the_wijks_builders_and_coordinators_may_set_it(botu_store: Store) -> None:
    for user in (
        User("ambtenaar", Role.OFFICER),
        User("publiek", Role.PUBLIC),
        User("elders", Role.BUILDER, frozenset({"oude-westen"})),
    ):
        with pytest.raises(PermissionDeniedError):
            set_join_contact(botu_store, BOTU, "buurtcoop@botu.nl", user=user)
    assert join_contact(botu_store, BOTU) == ""
    set_join_contact(botu_store, BOTU, "coordinatie@botu.nl", user=User("co", Role.COORDINATOR, frozenset({"x"})))
    assert join_contact(botu_store, BOTU) == "coordinatie@botu.nl"


def test_a_long_slug_still_fits_the_meta_key_and_stays_its_own(botu_store: Store) -> None:
    long_a, long_b = "a" * 100, "a" * 99 + "b"
    assert len(meta_key(long_a)) <= 100 and meta_key(long_a) != meta_key(long_b)
    assert meta_key(BOTU) == "join_contact:bospolder-tussendijken"

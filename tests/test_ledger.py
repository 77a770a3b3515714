"""The investment ledger in the database: history, conflicts, soft delete, rights, imports all-or-nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from abcd import schema
from abcd.errors import ConflictError, ImportFileError, NotFoundError, ValidationError
from abcd.investments.amounts import eur_from_cents
from abcd.investments.exchange import (
    import_investments,
    read_summary_csv,
    summary_csv_bytes,
    write_summary_csv,
)
from abcd.investments.ledger import (
    INVESTMENTS,
    REPEAT_WINDOW,
    Ledger,
    RepeatedInvestmentError,
    delete_investment,
    edit_investment,
    level_summary,
    record_investment,
    restore_investment,
)
from abcd.investments.model import Funder, Investment, InvestmentDraft, Kind, Level, validate_investment
from abcd.model import Asset, Source, Status
from abcd.permissions import PUBLIC_USER, PermissionDeniedError, Role, User
from abcd.records import utcnow
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU_2, make_draft

OFFICER = User("ambtenaar", Role.OFFICER)
BUILDER = User("opbouwwerker", Role.BUILDER)


@pytest.fixture
def places(botu_store: Store) -> dict[str, Asset]:
    """BoTu with a standard meeting place, a buurthuisje residents started and a club (not a meeting place)."""
    return {
        "standard": botu_store.add(
            make_draft(name="Huis van de Wijk", category="meeting_place", meeting_place_role="standard"), by="t"
        ),
        "resident": botu_store.add(
            make_draft(
                name="Buurthuisje Gijsingstraat",
                category="meeting_place",
                meeting_place_role="resident",
                lon=INSIDE_BOTU_2[0],
                lat=INSIDE_BOTU_2[1],
            ),
            by="t",
        ),
        "club": botu_store.add(make_draft(name="Naaiclub"), by="t"),
    }


def draft(place: Asset, cents: int = 2_500_000, **changes: object) -> InvestmentDraft:
    values: dict[str, object] = {
        "meeting_place_id": place.id,
        "date": dt.date(2024, 1, 15),
        "amount_cents": cents,
        "funder": Funder.GEMEENTE,
    }
    values.update(changes)
    return InvestmentDraft(**values)  # type: ignore[arg-type]


def counts(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(schema.investments)).scalar_one()
        history = conn.execute(select(func.count()).select_from(schema.investment_history)).scalar_one()
    return int(rows), int(history)


# -------------------------------------------------------------------- writes
def test_add_then_get_returns_every_field(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    item = ledger.add(
        draft(places["resident"], 250_050, kind=Kind.JAARLIJKS, space_m2=40.0, hours_per_week=6.5, note="sleutel"),
        by="ans",
    )
    stored = ledger.get(item.id)
    assert stored == item
    assert (stored.amount_cents, stored.amount_eur, stored.space_m2, stored.kind) == (
        250_050,
        Decimal("2500.50"),
        40.0,
        Kind.JAARLIJKS,
    )
    assert (stored.version, stored.created_by, stored.updated_by, stored.is_deleted) == (1, "ans", "ans", False)
    assert [h.action for h in ledger.history(item.id)] == ["create"]


def test_only_live_meeting_places_can_receive_investments(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    with pytest.raises(ValidationError) as caught:
        ledger.add(draft(places["club"]), by="t")
    assert caught.value.key == "error.not_a_meeting_place" and "Naaiclub" in str(caught.value)
    with pytest.raises(NotFoundError):
        ledger.add(draft(places["club"], meeting_place_id="8d3c1f0e-54a4-4d55-9a59-6c0d39b1f0aa"), by="t")
    botu_store.delete(places["resident"].id, by="t")
    with pytest.raises(ValidationError) as caught:
        ledger.add(draft(places["resident"]), by="t")
    assert caught.value.key == "error.meeting_place_deleted"
    assert counts(botu_store) == (0, 0)


def test_add_many_is_all_or_nothing(botu_store: Store, places: dict[str, Asset]) -> None:
    with pytest.raises(ValidationError):
        Ledger(botu_store).add_many([draft(places["standard"]), draft(places["club"])], by="t")
    assert counts(botu_store) == (0, 0)


def test_every_change_writes_a_history_row_with_old_and_new(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    item = ledger.add(draft(places["standard"]), by="ans")
    edited = ledger.update(item.id, item.draft(amount_cents=2_600_000, note="verhoogd"), by="bo", expected_version=1)
    deleted = ledger.delete(item.id, by="cy", expected_version=2)
    restored = ledger.restore(item.id, by="di", expected_version=3)
    assert (edited.version, deleted.version, restored.version) == (2, 3, 4)
    assert deleted.is_deleted and deleted.deleted_by == "cy" and not restored.is_deleted
    history = ledger.history(item.id)
    assert [(h.action, h.changed_by, h.version) for h in history] == [
        ("create", "ans", 1),
        ("update", "bo", 2),
        ("delete", "cy", 3),
        ("restore", "di", 4),
    ]
    assert history[1].changed_fields() == ["amount_cents", "note"]
    assert (history[1].old or {})["amount_cents"] == 2_500_000 and (history[1].new or {})["amount_cents"] == 2_600_000
    assert history[2].changed_fields() == ["deleted"]
    assert restored.created_by == "ans" and restored.created_at == item.created_at


def test_a_stale_edit_raises_conflict_and_changes_nothing(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    item = ledger.add(draft(places["standard"]), by="a")
    ledger.update(item.id, item.draft(amount_cents=1), by="b", expected_version=1)
    with pytest.raises(ConflictError):
        ledger.update(item.id, item.draft(amount_cents=2), by="c", expected_version=1)
    with pytest.raises(ConflictError):
        ledger.delete(item.id, by="c", expected_version=1)
    assert ledger.get(item.id).amount_cents == 1
    assert len(ledger.history(item.id)) == 2


def test_two_editors_of_one_version_cannot_both_win(db_url: str, botu_store: Store, places: dict[str, Asset]) -> None:
    item = Ledger(botu_store).add(draft(places["standard"]), by="a")
    outcomes: list[str] = []

    def edit(cents: int) -> None:
        other = Ledger(Store.open(db_url, upgrade=False))
        try:
            other.update(item.id, item.draft(amount_cents=cents), by=f"e{cents}", expected_version=1)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in (100, 200, 300, 400)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]
    assert Ledger(botu_store).get(item.id).version == 2
    assert counts(botu_store) == (1, 2)


def test_deleting_twice_and_editing_a_deleted_entry_are_refused(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    item = ledger.add(draft(places["standard"]), by="a")
    ledger.delete(item.id, by="a")
    with pytest.raises(NotFoundError):
        ledger.delete(item.id, by="a")
    with pytest.raises(NotFoundError):
        ledger.update(item.id, item.draft(), by="a", expected_version=2)
    with pytest.raises(NotFoundError):
        ledger.restore(ledger.restore(item.id, by="a").id, by="a")
    with pytest.raises(NotFoundError):
        ledger.get("nope")


def test_lists_filter_by_wijk_place_and_deletion(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    old = ledger.add(draft(places["standard"], date=dt.date(2023, 1, 1)), by="a")
    new = ledger.add(draft(places["resident"], date=dt.date(2024, 1, 1)), by="a")
    gone = ledger.add(draft(places["resident"], date=dt.date(2024, 6, 1)), by="a")
    ledger.delete(gone.id, by="a")
    assert [i.id for i in ledger.list_investments(wijk=BOTU)] == [new.id, old.id]  # newest first
    assert ledger.list_investments(wijk="oude-westen") == []
    assert [i.id for i in ledger.list_investments(meeting_place_id=places["standard"].id)] == [old.id]
    assert [i.id for i in ledger.list_investments(deleted_only=True)] == [gone.id]
    assert len(ledger.list_investments(include_deleted=True)) == 3


def test_data_version_changes_with_every_change(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    seen = {ledger.data_version()}
    item = ledger.add(draft(places["standard"]), by="a")
    seen.add(ledger.data_version())
    ledger.delete(item.id, by="a")
    seen.add(ledger.data_version())
    assert len(seen) == 3


def test_erasing_example_places_erases_their_investments(botu_store: Store) -> None:
    example = botu_store.add(
        make_draft(
            name="Wijkcentrum (voorbeeld)",
            category="meeting_place",
            meeting_place_role="standard",
            source=Source.EXAMPLE.value,
        ),
        by="t",
    )
    ledger = Ledger(botu_store)
    item = _booked_before_the_rule(botu_store, draft(example))  # examples take no money now; older databases may
    ledger.update(item.id, item.draft(amount_cents=5), by="t", expected_version=1)
    assert botu_store.purge_examples() == 1
    assert counts(botu_store) == (0, 0)


def _booked_before_the_rule(store: Store, entry: InvestmentDraft) -> Investment:
    """``entry`` written straight to the table, as a database from before examples were refused money holds it."""
    now = utcnow()
    item = INVESTMENTS.new(entry, str(uuid.uuid4()), by="t", now=now)
    with store.db.write() as conn:
        INVESTMENTS.insert(conn, [item], by="t", now=now)
    return item


def example_place(store: Store, **changes: str) -> Asset:
    values = {"name": "Wijkcentrum (voorbeeld)", "category": "meeting_place", "meeting_place_role": "standard"}
    return store.add(make_draft(**{**values, **changes}, source=Source.EXAMPLE.value), by="t")


def test_an_example_meeting_place_takes_no_real_money_whichever_way_it_comes(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    example = example_place(botu_store)
    ledger = Ledger(botu_store)
    raw = {"meeting_place_id": example.id, "date": "2024-01-15", "amount_eur": "25000", "funder": "gemeente"}
    with pytest.raises(ValidationError) as caught:
        record_investment(ledger, raw, user=OFFICER)
    assert caught.value.key == "error.meeting_place_example"
    assert "Wijkcentrum (voorbeeld)" in caught.value.message("en") and "example" in caught.value.message("en")
    with pytest.raises(ValidationError):
        ledger.add_many([draft(places["standard"]), draft(example)], by="t")  # a file: all rows or none
    real = ledger.add(draft(places["standard"]), by="t")
    with pytest.raises(ValidationError):  # nor can an entry be moved onto one
        ledger.update(real.id, real.draft(meeting_place_id=example.id), by="t", expected_version=1)
    path = tmp_path / "ledger.csv"
    path.write_text(f"meeting_place_id,date,amount_eur,funder\n{example.id},2024-01-15,100,gemeente\n")
    with pytest.raises(ImportFileError) as refused:
        import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, user=OFFICER)
    assert "geen echt geld" in str(refused.value)
    assert [i.id for i in ledger.list_investments()] == [real.id]


def test_money_on_an_example_place_never_counts_in_the_city_figures(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk]
) -> None:
    Ledger(botu_store).add(draft(places["resident"], 250_000), by="t")
    example = example_place(botu_store)
    _booked_before_the_rule(botu_store, draft(example, 99_900_000))
    row = level_summary(botu_store, catalogue, level=Level.WIJK).loc[BOTU]
    # The example is neither a second standard place nor money: only the resident place's 2,500 euros count.
    assert (row["standard_places"], row["resident_places"], row["eur_total"]) == (1, 1, Decimal("2500.00"))
    assert not row["several_standard"]


def test_an_identical_entry_saved_again_within_a_minute_is_refused(
    botu_store: Store, places: dict[str, Asset], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(botu_store)
    raw = {
        "meeting_place_id": places["standard"].id,
        "date": "2024-01-15",
        "amount_eur": "25.000",  # typed into the form's euro field: 25,000 euros
        "funder": "gemeente",
        "kind": "jaarlijks",
        "note": "eerste helft",
    }
    first = record_investment(ledger, raw, user=OFFICER)
    assert first.amount_cents == 2_500_000
    with pytest.raises(RepeatedInvestmentError) as caught:
        record_investment(ledger, raw, user=OFFICER)  # the second tap
    assert caught.value.key == "error.investment_repeated" and "niet nog een keer geboekt" in str(caught.value)
    assert "not booked a second time" in caught.value.message("en")
    assert [i.id for i in ledger.list_investments()] == [first.id]
    # Anything different is a different entry: another note, amount, funder, or another user.
    record_investment(ledger, {**raw, "note": "tweede helft"}, user=OFFICER)
    record_investment(ledger, {**raw, "amount_eur": "25001"}, user=OFFICER)
    record_investment(ledger, {**raw, "funder": "fonds"}, user=OFFICER)
    record_investment(ledger, raw, user=User("collega", Role.OFFICER))
    assert len(ledger.list_investments()) == 5
    # A deleted first entry does not block it, and after the minute the same entry is a new one.
    ledger.delete(first.id, by="t")
    again = record_investment(ledger, raw, user=OFFICER)
    later = utcnow() + REPEAT_WINDOW + dt.timedelta(seconds=1)
    monkeypatch.setattr("abcd.investments.ledger.utcnow", lambda: later)
    assert record_investment(ledger, raw, user=OFFICER).id != again.id
    # Imports and the ledger itself book what they are given (a file may hold two equal rows).
    assert len(ledger.add_many([draft(places["resident"]), draft(places["resident"])], by="t")) == 2


def test_the_database_refuses_negative_cents_even_past_validation(botu_store: Store, places: dict[str, Asset]) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        Ledger(botu_store).add(draft(places["standard"], -1), by="t")


# --------------------------------------------------------------------- rights
def test_use_cases_check_the_role_first(botu_store: Store, places: dict[str, Asset]) -> None:
    ledger = Ledger(botu_store)
    raw = {
        "meeting_place_id": places["standard"].id,
        "date": "2024-01-15",
        "amount_eur": "25.000,00",
        "funder": "gemeente",
    }
    for user in (PUBLIC_USER, BUILDER):
        with pytest.raises(PermissionDeniedError):
            record_investment(ledger, raw, user=user)
    item = record_investment(ledger, raw, user=OFFICER)
    assert (item.amount_cents, item.created_by) == (2_500_000, "ambtenaar")
    with pytest.raises(PermissionDeniedError):
        edit_investment(ledger, item.id, {**raw, "amount_eur": "1"}, user=BUILDER, expected_version=1)
    edited = edit_investment(ledger, item.id, {**raw, "amount_eur": "26.000,00"}, user=OFFICER, expected_version=1)
    assert edited.amount_cents == 2_600_000 and edited.meeting_place_id == places["standard"].id
    with pytest.raises(PermissionDeniedError):
        delete_investment(ledger, item.id, user=PUBLIC_USER, expected_version=2)
    delete_investment(ledger, item.id, user=OFFICER, expected_version=2)
    restore_investment(ledger, item.id, user=OFFICER, expected_version=3)
    assert [h.changed_by for h in ledger.history(item.id)] == ["ambtenaar"] * 4


# -------------------------------------------------------------------- imports
def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_resolves_names_reads_dutch_amounts_and_stores_all_rows(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "ledger.csv",
        "meeting_place;wijk;date;amount_eur;funder;kind;space_m2;hours_per_week;note",
        "Huis van de Wijk;bospolder-tussendijken;2024-01-15;€ 25.000;gemeente;jaarlijks;;;",
        "Buurthuisje Gijsingstraat;bospolder-tussendijken;2024-03-01;2.500,00;gemeente;eenmalig;40;6;ruimte",
    )
    result = import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, by="import")
    assert (result.count, result.total_cents, result.wijken) == (2, 2_750_000, (BOTU,))
    items = sorted(Ledger(botu_store).list_investments(), key=lambda i: i.date)
    assert [(i.meeting_place_id, i.amount_cents, i.kind, i.space_m2) for i in items] == [
        (places["standard"].id, 2_500_000, Kind.JAARLIJKS, None),
        (places["resident"].id, 250_000, Kind.EENMALIG, 40.0),
    ]
    assert all(i.created_by == "import" for i in items)


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("Huis van de Wijk;;2024-01-15;-25000;gemeente", "negatief"),
        ("Wijkcentrum Nergens;;2024-01-15;25000;gemeente", "Geen ontmoetingsplek 'Wijkcentrum Nergens'"),
        ("Huis van de Wijk;oude-westen;2024-01-15;25000;gemeente", "ligt in bospolder-tussendijken, niet in"),
        ("Huis van de Wijk;;15-01-2024;25000;gemeente", "geen geldige datum: '15-01-2024'"),
        ("Huis van de Wijk;;2024-01-15;1.234;gemeente", "dubbelzinnig"),
        ("Naaiclub;;2024-01-15;25000;gemeente", "Geen ontmoetingsplek 'Naaiclub'"),
        ("Huis van de Wijk;;2024-01-15;25000;sponsor", "Onbekende waarde 'sponsor'"),
    ],
)
def test_one_bad_row_imports_nothing_and_is_named(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path, row: str, needle: str
) -> None:
    path = write_csv(
        tmp_path / "ledger.csv",
        "meeting_place;wijk;date;amount_eur;funder",
        "Buurthuisje Gijsingstraat;;2024-03-01;2.500,00;gemeente",
        row,
    )
    with pytest.raises(ImportFileError) as caught:
        import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, by="t")
    message = str(caught.value)
    assert message.startswith("Rij 3: ") and needle in message, message
    assert counts(botu_store) == (0, 0)


def test_import_by_id_checks_the_wijk_and_the_name(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    standard = places["standard"].id
    header = "meeting_place_id,meeting_place,wijk,date,amount_eur,funder"
    good = write_csv(tmp_path / "a.csv", header, f"{standard},,,2024-01-15,25000.00,gemeente")
    assert import_investments(botu_store, good, catalogue=catalogue, default_wijk=BOTU, by="t").count == 1
    bad_rows = [
        f"{standard},,oude-westen,2024-01-15,1,gemeente",  # the place lies in another wijk
        f"{standard},Buurthuisje Gijsingstraat,,2024-01-15,1,gemeente",  # id and name disagree
        "8d3c1f0e-54a4-4d55-9a59-6c0d39b1f0aa,,,2024-01-15,1,gemeente",  # no such place
    ]
    for number, row in enumerate(bad_rows):
        bad = write_csv(tmp_path / f"bad{number}.csv", header, row)
        with pytest.raises(ImportFileError):
            import_investments(botu_store, bad, catalogue=catalogue, default_wijk=BOTU, by="t")
    assert counts(botu_store)[0] == 1


def test_an_unquoted_dutch_amount_in_a_comma_file_is_refused_not_misread(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "comma.csv", "meeting_place,date,amount_eur,funder", "Huis van de Wijk,2024-01-15,25000,50,gemeente"
    )
    with pytest.raises(ImportFileError) as caught:
        import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, by="t")
    assert "Rij 2" in str(caught.value) and "aanhalingstekens" in str(caught.value)
    quoted = write_csv(
        tmp_path / "quoted.csv",
        "meeting_place,date,amount_eur,funder",
        'Huis van de Wijk,2024-01-15,"25.000,50",gemeente',
    )
    import_investments(botu_store, quoted, catalogue=catalogue, default_wijk=BOTU, by="t")
    assert [i.amount_cents for i in Ledger(botu_store).list_investments()] == [2_500_050]


@pytest.mark.parametrize(
    ("lines", "key"),
    [
        (["meeting_place;date;amount;funder", "Huis van de Wijk;2024-01-15;1;gemeente"], "error.unknown_columns"),
        (["meeting_place;amount_eur;funder", "Huis van de Wijk;1;gemeente"], "error.missing_columns"),
        (["wijk;date;amount_eur;funder", "x;2024-01-15;1;gemeente"], "error.missing_columns"),
        (["meeting_place;date;amount_eur;funder"], "error.empty_file"),
    ],
)
def test_files_with_the_wrong_columns_are_refused(
    botu_store: Store,
    places: dict[str, Asset],
    catalogue: dict[str, Wijk],
    tmp_path: Path,
    lines: list[str],
    key: str,
) -> None:
    with pytest.raises(ImportFileError) as caught:
        import_investments(
            botu_store, write_csv(tmp_path / "x.csv", *lines), catalogue=catalogue, default_wijk=BOTU, by="t"
        )
    assert caught.value.key == key


def test_import_needs_the_right_to_edit_investments(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "x.csv", "meeting_place;date;amount_eur;funder", "Huis van de Wijk;2024-01-15;1;gemeente"
    )
    with pytest.raises(PermissionDeniedError):
        import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, user=BUILDER)
    assert counts(botu_store) == (0, 0)


# -------------------------------------------------------------------- summary
def test_level_summary_counts_each_place_once_per_level(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk]
) -> None:
    ledger = Ledger(botu_store)
    ledger.add(draft(places["standard"]), by="t")
    ledger.add(draft(places["resident"], 250_000, space_m2=40.0), by="t")
    botu_store.add(make_draft(name="Geveltuinen", category="initiative"), by="t")
    botu_store.add(make_draft(name="Taalcafé", category="initiative", resident_led=False), by="t")
    # Awaiting approval: not yet part of the official figures.
    botu_store.add(replace(make_draft(name="Nog te keuren", category="initiative"), status=Status.PENDING), by="t")
    botu_store.add(
        replace(
            make_draft(name="Tweede huis", category="meeting_place", meeting_place_role="standard"),
            status=Status.PENDING,
        ),
        by="t",
    )
    wijk_level = level_summary(botu_store, catalogue, level=Level.WIJK)
    row = wijk_level.loc[BOTU]
    assert (row["eur_total"], row["eur_per_1000"], row["initiatives"]) == (Decimal("27500.00"), Decimal("1839.46"), 1)
    assert row["standard_places"] == 1 and not row["several_standard"]
    assert wijk_level["no_standard"].sum() == len(wijk_level) - 1  # only BoTu has one
    delfshaven = level_summary(botu_store, catalogue, level="cbs_wijk").loc["wijk-delfshaven"]
    assert (delfshaven["eur_total"], delfshaven["standard_places"]) == (Decimal("27500.00"), 1)
    buurten = level_summary(botu_store, catalogue, level=Level.CBS_BUURT)
    assert sum(buurten["eur_total"], Decimal(0)) == Decimal("27500.00")
    assert level_summary(botu_store, catalogue, level=Level.WIJK, year=2023).loc[BOTU, "eur_total"] == 0


def test_the_summary_csv_has_the_documented_columns(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    Ledger(botu_store).add(draft(places["resident"], 250_000, space_m2=40.0), by="t")
    summary = level_summary(botu_store, catalogue, level=Level.WIJK)
    path = tmp_path / "out" / "summary.csv"
    assert write_summary_csv(summary, path) == 87
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "wijk,inwoners,standard_places,resident_places,eur_total,eur_standard,eur_resident,eur_per_1000,"
        "space_m2,initiatives_per_1000"
    )
    assert lines[1] == "bospolder-tussendijken,14950,1,1,2500.00,0.00,2500.00,167.22,40,0"
    no_residents = [line for line in lines if line.startswith("vondelingenplaat,")]
    assert no_residents == ["vondelingenplaat,0,0,0,0.00,0.00,0.00,,0,"]  # reported, not divided by
    assert summary_csv_bytes(summary) == path.read_bytes()
    assert not list(path.parent.glob(".summary.csv.*"))  # no temporary file left behind


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.lists(st.integers(min_value=1, max_value=10**10), min_size=1, max_size=6), data=st.data())
def test_amounts_survive_import_and_summary_export_to_the_cent(
    botu_store: Store, places: dict[str, Asset], catalogue: dict[str, Wijk], cents: list[int], data: st.DataObject
) -> None:
    ledger = Ledger(botu_store)
    before = {i.id for i in ledger.list_investments()}
    total_before = level_summary(botu_store, catalogue, level=Level.WIJK).loc[BOTU, "eur_total"]
    styles = [
        lambda c: f"{c // 100}.{c % 100:02d}",
        lambda c: f"{c // 100},{c % 100:02d}",
        lambda c: f"{c // 100:,}".replace(",", ".") + f",{c % 100:02d}",
        lambda c: "€ " + f"{c // 100:,}".replace(",", ".") + f",{c % 100:02d}",
    ]
    lines = ["meeting_place;date;amount_eur;funder"]
    for amount in cents:
        style = data.draw(st.sampled_from(styles))
        lines.append(f"Huis van de Wijk;2024-05-01;{style(amount)};fonds")
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "ledger.csv", *lines)
        import_investments(botu_store, path, catalogue=catalogue, default_wijk=BOTU, by="t")
        new = [i for i in ledger.list_investments() if i.id not in before]
        assert sorted(i.amount_cents for i in new) == sorted(cents)
        out = Path(folder) / "summary.csv"
        write_summary_csv(level_summary(botu_store, catalogue, level=Level.WIJK), out)
        exported = read_summary_csv(out).loc[BOTU]
    assert exported["eur_total"] == total_before + eur_from_cents(sum(cents))
    assert exported["eur_standard"] == exported["eur_total"]


def test_validate_then_store_keeps_a_draft_exact(botu_store: Store, places: dict[str, Asset]) -> None:
    raw = {"meeting_place_id": places["standard"].id, "date": "2024-02-29", "amount_eur": "0,01", "funder": "fonds"}
    item = Ledger(botu_store).add(validate_investment(raw), by="t")
    assert Ledger(botu_store).get(item.id).amount_eur == Decimal("0.01")

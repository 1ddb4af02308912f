"""`crm-graphql import KIND FILE.csv`: all rows land, or none and every error is reported."""

from __future__ import annotations

from factories import on_database

from crm_graphql import cli
from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id


def _count(url: str, model) -> int:
    return on_database(url, lambda: model.all().count())


def test_import_accounts_then_contacts_by_account_name(tmp_path, capsys) -> None:
    # given a fresh database and two CSV files
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("name,city,type,isPrivate\nAcme,Paris,organization,no\nGlobex,Lyon,ORGANIZATION,yes\n")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("firstName,lastName,email,account\nAda,Lovelace,ada@acme.test,Acme\n")
    # when both are imported
    assert cli.main(["import", "accounts", str(accounts), "--database", url]) == 0
    assert cli.main(["import", "contacts", str(contacts), "--database", url]) == 0
    # then every row landed
    assert "Imported 2 accounts." in capsys.readouterr().out
    assert _count(url, m.Account) == 2
    assert _count(url, m.Contact) == 1


def test_import_reports_every_bad_row_and_writes_nothing(tmp_path, capsys) -> None:
    # given a file with one good row and three bad ones
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    products = tmp_path / "products.csv"
    products.write_text(
        "name,code,kind,termMonths\n"
        "Laptop,LAP-1,ONE_TIME,\n"
        ",LAP-2,ONE_TIME,\n"
        "Support,SUP-1,TIME_BASED,twelve\n"
        "Laptop again,LAP-1,ONE_TIME,\n"
    )
    # when imported
    code = cli.main(["import", "products", str(products), "--database", url])
    # then it fails, names row and column of each error, and nothing landed
    err = capsys.readouterr().err
    assert code == 1
    assert "row 3, column name: name is required." in err
    assert "row 4, column termMonths" in err
    assert "row 5, column code: code 'LAP-1' is already taken." in err
    assert "Nothing was imported." in err
    assert _count(url, m.Product) == 0


def _price_books(url: str) -> dict[str, int]:
    """Two price books called "Standard" (one inactive), one "Partner", and product LAP-14."""

    async def work() -> dict[str, int]:
        active = await m.Pricebook.create(name="Standard")
        await m.Pricebook.create(name="Standard", is_active=False, version_label="2023")
        partner = await m.Pricebook.create(name="Partner")
        await m.Product.create(name="Laptop Pro 14", code="LAP-14")
        return {"standard": active.id, "partner": partner.id}

    return on_database(url, work)


def test_import_refuses_an_ambiguous_name_and_reports_every_error_of_a_row(tmp_path, capsys) -> None:
    # given two price books called "Standard", and a file whose second row has three errors
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    _price_books(url)
    entries = tmp_path / "entries.csv"
    entries.write_text(
        "pricebook,product,currency,unitPrice\n"
        "Standard,LAP-14,EUR,1499.00\n"
        "Partner,NOPE,XYZ,abc\n"
        "Partner,LAP-14,EUR,1274.15\n"
    )
    # when imported
    code = cli.main(["import", "pricebook-entries", str(entries), "--database", url])
    # then the ambiguous name is an error of its row and column (never a guess), the second
    # row reports all three of its errors, and nothing landed (not even the good row)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        "row 2, column pricebook: Several Pricebook records have name 'Standard': name one by its global ID.",
        "row 3, column product: No Product with code 'NOPE'.",
        "row 3, column unitPrice: 'abc' is not a decimal number",
        "row 3, column currency: 'XYZ' is not an ISO 4217 currency code.",
        "Nothing was imported.",
    ]
    assert _count(url, m.PricebookEntry) == 0


def test_import_reference_by_global_id_is_exact(tmp_path, capsys) -> None:
    # given two price books called "Standard": the file names the active one by its global ID
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    books = _price_books(url)
    standard = to_global_id("Pricebook", books["standard"])
    entries = tmp_path / "entries.csv"
    entries.write_text(f"pricebook,product,currency,unitPrice\n{standard},LAP-14,EUR,1499.00\n")
    # when imported, the entry lands in that price book
    assert cli.main(["import", "pricebook-entries", str(entries), "--database", url]) == 0
    assert "Imported 1 pricebook-entries." in capsys.readouterr().out

    async def book_of_entry() -> int:
        return (await m.PricebookEntry.get()).pricebook_id

    assert on_database(url, book_of_entry) == books["standard"]


def test_a_name_that_matches_several_records_is_an_error_not_a_guess(tmp_path, capsys) -> None:
    # given two accounts called Acme
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("name,city\nAcme,Paris\nAcme,Lyon\nGlobex,Rome\n")
    assert cli.main(["import", "accounts", str(accounts), "--database", url]) == 0
    # when contacts refer to Acme by name
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("lastName,account\nByron,Globex\nLovelace,Acme\n")
    code = cli.main(["import", "contacts", str(contacts), "--database", url])
    # then the row is refused for that column, and nothing landed
    err = capsys.readouterr().err
    assert code == 1
    assert "row 3, column account: Several Account records have name 'Acme': name one by its global ID." in err
    assert _count(url, m.Contact) == 0


def test_an_empty_cell_means_not_given(tmp_path, capsys) -> None:
    # given a lead whose status and first name cells are empty
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    leads = tmp_path / "leads.csv"
    leads.write_text("lastName,firstName,status\nDoe,,\n")
    # when imported, the defaults apply (no error for an empty enum cell)
    assert cli.main(["import", "leads", str(leads), "--database", url]) == 0

    statuses = on_database(url, lambda: m.Lead.all().values_list("status", "first_name"))
    assert [(str(s), f) for s, f in statuses] == [("NEW", None)]


def test_leads_and_deals_name_their_campaign_by_name_or_global_id(tmp_path, capsys) -> None:
    # given two campaigns called "Webinar" and one called "Fair"
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"

    async def setup() -> dict[str, int]:
        ids = {}
        for key, name in (("w1", "Webinar"), ("w2", "Webinar"), ("fair", "Fair")):
            ids[key] = (await m.Campaign.create(name=name, currency="EUR")).id
        await m.Account.create(name="Acme")
        return ids

    assert cli.main(["migrate", "--database", url]) == 0
    ids = on_database(url, setup)
    # when leads name an ambiguous campaign, then that row and column are refused and nothing lands
    leads = tmp_path / "leads.csv"
    leads.write_text("lastName,campaign\nDoe,Fair\nRoe,Webinar\n")
    assert cli.main(["import", "leads", str(leads), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "row 3, column campaign: Several Campaign records have name 'Webinar': name one by its global ID." in err
    assert _count(url, m.Lead) == 0
    # when they name it by global ID (and deals by name), then every row lands with its campaign
    second = to_global_id("Campaign", ids["w2"])
    leads.write_text(f"lastName,campaign\nDoe,Fair\nRoe,{second}\n")
    assert cli.main(["import", "leads", str(leads), "--database", url]) == 0
    deals = tmp_path / "opportunities.csv"
    deals.write_text("title,account,campaign\nBig deal,Acme,Fair\n")
    assert cli.main(["import", "opportunities", str(deals), "--database", url]) == 0

    async def campaigns() -> list[object]:
        leads = await m.Lead.all().order_by("id").values_list("campaign_id", flat=True)
        return [*leads, *await m.Opportunity.all().values_list("campaign_id", flat=True)]

    assert on_database(url, campaigns) == [ids["fair"], ids["w2"], ids["fair"]]

"""`crm-graphql export KIND`: the import's columns on standard output, a lossless round trip,
and a progress bar only when standard error is a terminal.

The CLI runs in child processes (see tests/test_cli.py: tortoise keeps per-backend state).
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from crm_graphql.services import exporter, importer

SOURCES = {
    "accounts": (
        "name,type,city,email,isPrivate,website,street\n"
        'Acme,organization,Paris,info@acme.test,no,https://acme.test,"Rue 1\nBâtiment B"\n'
        '"Globex, ""The Big One""",ORGANIZATION,Lyon,,yes,,\n'
        "Ada Lovelace,person,London,ada@example.test,false,,\n"
    ),
    "contacts": "firstName,lastName,email,account,title\nAda,Byron,ada@acme.test,Acme,CTO\n,Nobody,,,\n",
    "leads": 'lastName,firstName,company,status,description,email\nSmith,Jo,Initech,WORKING,"line one\nline two",jo@x.test\nDoe,,,,,\n',
    "opportunities": (
        "title,account,stage,manualAmount,currency,closeDate,probability,isRestricted\n"
        "Big deal,Acme,Proposal,1250.5,EUR,2026-03-31,55,no\n"
        'Small deal,"Globex, ""The Big One""",,0.0001,USD,,,yes\n'
    ),
    "products": "name,code,kind,termMonths,description,isActive\nLaptop,LAP-1,ONE_TIME,,Fast,yes\nSupport,SUP-1,TIME_BASED,12,,no\n",
    "pricebook-entries": (
        "pricebook,product,currency,unitPrice,unit\nStandard,LAP-1,EUR,999.99,\nStandard,SUP-1,USD,10.1234,month\n"
    ),
}
ROWS = {"accounts": 3, "contacts": 2, "leads": 2, "opportunities": 2, "products": 2, "pricebook-entries": 2}
ORDER = list(SOURCES)  # references come before the rows that use them

ROUND_TRIP = """
import asyncio, contextlib, sys
from pathlib import Path
from crm_graphql import cli, db, models as m

folder, kinds = Path(sys.argv[1]), sys.argv[2:]

def pricebooks(url):
    async def work():
        await db.init(url)
        try:
            await m.Pricebook.create(name="Standard")
        finally:
            await db.close()
    asyncio.run(work())

def export_all(url, into):
    into.mkdir()
    for kind in kinds:
        with (into / f"{kind}.csv").open("w", newline="") as out, contextlib.redirect_stdout(out):
            assert cli.main(["export", kind, "--database", url]) == 0, kind

def import_all(url, source):
    pricebooks(url)
    for kind in kinds:
        assert cli.main(["import", kind, str(source / f"{kind}.csv"), "--database", url]) == 0, kind

first_db, second_db = f"sqlite://{folder / 'first.sqlite3'}", f"sqlite://{folder / 'second.sqlite3'}"
import_all(first_db, folder / "source")
export_all(first_db, folder / "first")
import_all(second_db, folder / "first")
export_all(second_db, folder / "second")
"""


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload, no-any-return]


def test_export_import_export_is_lossless_for_every_kind(tmp_path: Path) -> None:
    # given a database filled by importing one file of each kind (quotes, commas, line breaks, accents)
    assert set(SOURCES) == set(importer.KINDS), "a new import kind needs a row here"
    (tmp_path / "source").mkdir()
    for kind, text in SOURCES.items():
        (tmp_path / "source" / f"{kind}.csv").write_text(text)
    # when every kind is exported, imported into an empty database and exported again
    done = run("-c", ROUND_TRIP, str(tmp_path), *ORDER)
    assert done.returncode == 0, done.stderr
    # then both exports are byte-identical, kind by kind
    for kind in ORDER:
        first = (tmp_path / "first" / f"{kind}.csv").read_text()
        assert first == (tmp_path / "second" / f"{kind}.csv").read_text(), kind
        rows = list(csv.DictReader(io.StringIO(first)))
        assert list(rows[0]) == exporter.header(kind)
        assert len(rows) == ROWS[kind], kind
    # and the values are the ones imported, in the import's own notation
    accounts = list(csv.DictReader(io.StringIO((tmp_path / "first" / "accounts.csv").read_text())))
    assert [(a["name"], a["type"], a["isPrivate"]) for a in accounts] == [
        ("Acme", "ORGANIZATION", "false"),
        ('Globex, "The Big One"', "ORGANIZATION", "true"),
        ("Ada Lovelace", "PERSON", "false"),
    ]
    assert accounts[0]["street"] == "Rue 1\nBâtiment B" and accounts[1]["email"] == ""
    deals = list(csv.DictReader(io.StringIO((tmp_path / "first" / "opportunities.csv").read_text())))
    assert [(d["account"], d["stage"], d["manualAmount"], d["closeDate"]) for d in deals] == [
        ("Acme", "Proposal", "1250.5000", "2026-03-31"),
        ('Globex, "The Big One"', "Prospecting", "0.0001", ""),
    ]
    entries = list(csv.DictReader(io.StringIO((tmp_path / "first" / "pricebook-entries.csv").read_text())))
    assert [(e["pricebook"], e["product"], e["unitPrice"], e["unit"]) for e in entries] == [
        ("Standard", "LAP-1", "999.9900", "pcs"),
        ("Standard", "SUP-1", "10.1234", "month"),
    ]


def _products(path: Path, count: int) -> None:
    lines = ["name,code,kind"] + [f"Product {i},P-{i:05d},ONE_TIME" for i in range(count)]
    path.write_text("\n".join(lines) + "\n")


def _on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run with standard error on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        screen += chunk
    assert process.stdout is not None
    with process.stdout:
        out = process.stdout.read()
    code = process.wait(timeout=300)
    os.close(leader)
    return code, out.decode(), screen.decode(errors="replace")


def test_progress_only_when_standard_error_is_a_terminal(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    source = tmp_path / "products.csv"
    _products(source, 1200)
    # piped: no progress at all, and stdout holds the summary / only CSV
    imported = run("-m", "crm_graphql", "import", "products", str(source), "--database", url)
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "Imported 1200 products.\n", "")
    exported = run("-m", "crm_graphql", "export", "products", "--database", url)
    assert exported.returncode == 0 and exported.stderr == ""
    assert exported.stdout.splitlines()[0] == ",".join(exporter.header("products"))
    assert len(exported.stdout.splitlines()) == 1201
    # on a terminal: a bar that reaches every row, and stdout still holds only the CSV
    code, out, screen = _on_a_terminal("-m", "crm_graphql", "export", "products", "--database", url)
    assert code == 0 and out == exported.stdout
    assert "export products" in screen and "1200/1200" in screen and "100%" in screen
    other = f"sqlite://{tmp_path / 'other.sqlite3'}"
    code, out, screen = _on_a_terminal("-m", "crm_graphql", "import", "products", str(source), "--database", other)
    assert code == 0 and out == "Imported 1200 products.\n"
    assert "import products" in screen and "1200/1200" in screen

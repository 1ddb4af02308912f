"""schema/ and models/ are generated artefacts: they must match the code."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from crm_graphql import cli
from crm_graphql.api.schema import build_schema


def test_schema_graphql_matches_code() -> None:
    # given the committed SDL
    committed = cli.SCHEMA_PATH.read_text()
    # when the schema is exported again
    generated = cli.export_schema_text()
    # then nothing drifted
    assert committed == generated, "schema/schema.graphql is stale: run `crm-graphql export-schema --write`"


def test_models_erd_matches_code() -> None:
    from crm_graphql.services.er_diagram import render

    assert cli.MODELS_PATH.read_text() == render(), "models/erd.md is stale: run `crm-graphql export-models --write`"


def test_check_flag_reports_drift(tmp_path, monkeypatch, capsys) -> None:
    # given a stale schema file
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n")
    monkeypatch.setattr(cli, "SCHEMA_PATH", stale)
    # when checked
    code = cli.main(["export-schema", "--check"])
    # then it fails with a diff
    assert code == 1
    assert "+type Query" in capsys.readouterr().out


EXAMPLES = sorted((cli.REPO_ROOT / "schema" / "examples").glob("*.graphql"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_operation_is_valid(path) -> None:
    schema = build_schema()._schema
    document = parse(path.read_text())
    assert validate(schema, document) == []
    names = [d.name.value for d in document.definitions if getattr(d, "name", None)]
    assert names == [path.stem], "one operation per file, named after the file"


async def test_example_queries_run_on_the_demo_data(gql) -> None:
    from crm_graphql.services import demo

    # given the demo data set
    await demo.load()
    first_account = (await gql("{ accounts(first: 1) { nodes { id } } }"))["accounts"]["nodes"][0]["id"]
    # when every example query runs (mutations are only validated: they change the data)
    for path in EXAMPLES:
        document = parse(path.read_text())
        operation = document.definitions[0]
        if operation.operation.value != "query":
            continue
        variables = {"id": first_account} if operation.variable_definitions else {}
        if path.stem == "InvoiceLineage":
            invoice = await gql("{ invoices(first: 1) { nodes { id } } }")
            variables = {"id": invoice["invoices"]["nodes"][0]["id"]}
        data = await gql(path.read_text(), variables)
        # then each answers data without errors
        assert data and all(value is not None for value in data.values()), path.stem

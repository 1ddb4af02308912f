from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import DocumentFormat
from tortoise.fields.base import OnDelete
from tortoise import fields
import re

# Data: templates move from the old ``{{token}}`` substitution to Jinja2 (frozen here, as it
# was when this migration was written). Every old token is a Jinja2 expression with the same
# meaning, except ``{{items}}`` (a block the server pre-rendered), which becomes a loop in
# the template; literal text that Jinja2 would read as syntax is wrapped in {% raw %}.
_TOKEN = re.compile(r"\{\{\s*([a-zA-Z][\w.]*)\s*\}\}")
_JINJA_START = re.compile(r"\{[{%#]")
_ITEMS = {
    "text/markdown": (
        "| Item | Quantity | Unit | Unit price | Discount | Tax rate | Total |\n"
        "|---|---:|---|---:|---:|---:|---:|\n"
        "{% for item in items %}| {{ item.name }} | {{ item.quantity }} | {{ item.unit }} | {{ item.unitPrice }} "
        "| {{ item.discountPercent }} % | {{ item.taxRate }} % | {{ item.lineTotal }} |\n{% endfor %}"
    ),
    "text/html": (
        "<table><tr><th>Item</th><th>Quantity</th><th>Unit</th><th>Unit price</th><th>Discount</th>"
        "<th>Tax rate</th><th>Total</th></tr>\n"
        "{% for item in items %}<tr><td>{{ item.name }}</td><td>{{ item.quantity }}</td><td>{{ item.unit }}</td>"
        "<td>{{ item.unitPrice }}</td><td>{{ item.discountPercent }} %</td><td>{{ item.taxRate }} %</td>"
        "<td>{{ item.lineTotal }}</td></tr>\n{% endfor %}</table>"
    ),
    "text/plain": (
        "{% for item in items %}{{ item.name }}  {{ item.quantity }} {{ item.unit }}  {{ item.unitPrice }}  "
        "-{{ item.discountPercent }} %  tax {{ item.taxRate }} %  {{ item.lineTotal }}\n{% endfor %}"
    ),
}


def _literal(text):
    if not _JINJA_START.search(text):
        return text
    if "endraw" not in text:
        return "{% raw %}" + text + "{% endraw %}"
    return _JINJA_START.sub(lambda m: '{{ "' + m.group(0) + '" }}', text)


def jinja_body(body, content_type):
    """An old-syntax template body as the equivalent Jinja2 template."""
    out, pos = [], 0
    for match in _TOKEN.finditer(body):
        out.append(_literal(body[pos:match.start()]))
        token = match.group(1)
        out.append(_ITEMS.get(content_type, _ITEMS["text/plain"]) if token == "items" else "{{ " + token + " }}")
        pos = match.end()
    out.append(_literal(body[pos:]))
    return "".join(out)


async def to_jinja(apps, schema_editor):
    conn = schema_editor.client
    template_model = apps.get_model("models", "DocumentTemplate")
    for row in await template_model.all().using_db(conn):
        body = jinja_body(row.body, row.content_type)
        if body != row.body:
            await template_model.filter(id=row.id).using_db(conn).update(body=body)
    document_model = apps.get_model("models", "Document")
    for content_type, format in (("text/html", DocumentFormat.HTML), ("text/plain", DocumentFormat.TEXT)):
        await document_model.filter(content_type=content_type).using_db(conn).update(format=format)
    for pk, content in await document_model.all().using_db(conn).values_list("id", "content"):
        await document_model.filter(id=pk).using_db(conn).update(size=len((content or "").encode("utf-8")))


class Migration(migrations.Migration):
    dependencies = [('models', '0003_rounding_total')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.OneToOneField('models.Document', source_field='document_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'document_files', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The bytes of a binary document (a PDF), apart from Document so lists stay light.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Document',
            name='content',
            field=fields.TextField(null=True, description='The rendered text of a text format; null for a PDF (its bytes are in DocumentFile).', unique=False),
        ),
        ops.AddField(
            model_name='Document',
            name='format',
            field=fields.CharEnumField(default=DocumentFormat.MARKDOWN, description='MARKDOWN: MARKDOWN\nHTML: HTML\nTEXT: TEXT\nPDF: PDF', db_default=DocumentFormat.MARKDOWN, enum_type=DocumentFormat, max_length=10),
        ),
        ops.AddField(
            model_name='Document',
            name='size',
            field=fields.IntField(default=0, description='Bytes of the file (the UTF-8 encoded content, or the PDF).', db_default=0),
        ),
        ops.AlterModelOptions(
            name='DocumentTemplate',
            options={'table': 'document_templates', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A Jinja2 template (sandboxed, services.documents.templating) for rendering quotes.'},
        ),
        ops.RunPython(to_jinja),
    ]

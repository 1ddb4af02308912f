"""The built-in templates, one per template language; a PDF is typeset from the HTML one.

They show what DOMAIN.md 4 says a customer must see: every line's quantity, unit, unit
price, discount, tax rate and line total (a loop in the template), then subtotal, document
discount, net total, tax per rate, rounding (when the quote has a rounding line) and total,
and the validity as the dates that exist.
"""

from __future__ import annotations

from crm_graphql.enums import DocumentFormat

MARKDOWN = """\
# Quote {{ quote.number }} (revision {{ quote.revision }})

**{{ customer.name }}**{% if customer.address %}\\
{{ customer.address }}{% endif %}{% if customer.vatNumber %}\\
VAT number {{ customer.vatNumber }}{% endif %}{% if contact.name %}\\
Attn. {{ contact.name }}{% endif %}

{{ quote.name }}{% if quote.validity %}, {{ quote.validity }}{% endif %}.
{% if quote.description %}
{{ quote.description }}
{% endif %}
| Item | Quantity | Unit | Unit price | Discount | Tax rate | Total |
|---|---:|---|---:|---:|---:|---:|
{% for item in items %}\
| {{ item.name }} | {{ item.quantity }} | {{ item.unit }} | {{ item.unitPrice }} | {{ item.discountPercent }} % \
| {{ item.taxRate }} % | {{ item.lineTotal }} |
{% endfor %}
| | {{ currency }} |
|---|---:|
| Subtotal | {{ totals.subtotal }} |
| Document discount ({{ totals.discountPercent }} %) | {% if totals.hasDiscount %}-{% endif %}{{ totals.discount }} |
| Net total | {{ totals.net }} |
{% for tax in totals.taxes %}\
| Tax {{ tax.rate }} % | {{ tax.amount }} |
{% endfor %}\
{% if totals.hasRounding %}\
| Rounding | {{ totals.rounding }} |
{% endif %}\
| **Total** | **{{ totals.total }}** |
"""

HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Quote {{ quote.number }}-{{ quote.revision }}</title></head>
<body>
<h1>Quote {{ quote.number }} (revision {{ quote.revision }})</h1>
<p><b>{{ customer.name }}</b>\
{% if customer.address %}<br>{{ customer.address }}{% endif %}\
{% if customer.vatNumber %}<br>VAT number {{ customer.vatNumber }}{% endif %}\
{% if contact.name %}<br>Attn. {{ contact.name }}{% endif %}</p>
<p>{{ quote.name }}{% if quote.validity %}, {{ quote.validity }}{% endif %}.</p>
{% if quote.description %}<p>{{ quote.description }}</p>
{% endif %}<table width="100%" border="1">
<thead><tr><th width="36%" align="left">Item</th><th width="9%" align="right">Quantity</th>\
<th width="7%" align="left">Unit</th><th width="12%" align="right">Unit price</th>\
<th width="10%" align="right">Discount</th><th width="10%" align="right">Tax rate</th>\
<th width="16%" align="right">Total</th></tr></thead>
<tbody>
{% for item in items %}\
<tr><td>{{ item.name }}</td><td align="right">{{ item.quantity }}</td><td>{{ item.unit }}</td>\
<td align="right">{{ item.unitPrice }}</td><td align="right">{{ item.discountPercent }} %</td>\
<td align="right">{{ item.taxRate }} %</td><td align="right">{{ item.lineTotal }}</td></tr>
{% endfor %}\
</tbody>
</table>
<p></p>
<table width="60%" align="right" border="1">
<thead><tr><th width="60%" align="left"></th><th width="40%" align="right">{{ currency }}</th></tr></thead>
<tbody>
<tr><td>Subtotal</td><td align="right">{{ totals.subtotal }}</td></tr>
<tr><td>Document discount ({{ totals.discountPercent }} %)</td>\
<td align="right">{% if totals.hasDiscount %}-{% endif %}{{ totals.discount }}</td></tr>
<tr><td>Net total</td><td align="right">{{ totals.net }}</td></tr>
{% for tax in totals.taxes %}\
<tr><td>Tax {{ tax.rate }} %</td><td align="right">{{ tax.amount }}</td></tr>
{% endfor %}\
{% if totals.hasRounding %}\
<tr><td>Rounding</td><td align="right">{{ totals.rounding }}</td></tr>
{% endif %}\
<tr><td><b>Total</b></td><td align="right"><b>{{ totals.total }}</b></td></tr>
</tbody>
</table>
</body>
</html>
"""

TEXT = """\
Quote {{ quote.number }} (revision {{ quote.revision }})

{{ customer.name }}
{% if customer.address %}{{ customer.address }}
{% endif %}{% if customer.vatNumber %}VAT number {{ customer.vatNumber }}
{% endif %}{% if contact.name %}Attn. {{ contact.name }}
{% endif %}
{{ quote.name }}{% if quote.validity %}, {{ quote.validity }}{% endif %}.
{% if quote.description %}{{ quote.description }}
{% endif %}
{% for item in items %}\
{{ loop.index }}. {{ item.name }}: {{ item.quantity }} {{ item.unit }} x {{ item.unitPrice }}, \
discount {{ item.discountPercent }} %, tax rate {{ item.taxRate }} % = {{ item.lineTotal }} {{ currency }}
{% endfor %}
Subtotal: {{ totals.subtotal }} {{ currency }}
Document discount ({{ totals.discountPercent }} %): {% if totals.hasDiscount %}-{% endif %}{{ totals.discount }} \
{{ currency }}
Net total: {{ totals.net }} {{ currency }}
{% for tax in totals.taxes %}\
Tax {{ tax.rate }} %: {{ tax.amount }} {{ currency }}
{% endfor %}\
{% if totals.hasRounding %}\
Rounding: {{ totals.rounding }} {{ currency }}
{% endif %}\
Total: {{ totals.total }} {{ currency }}
"""

#: The built-in template for each template language.
TEMPLATES = {DocumentFormat.MARKDOWN: MARKDOWN, DocumentFormat.HTML: HTML, DocumentFormat.TEXT: TEXT}

"""The demo data set: a small, realistic sales pipeline (``seed --demo``, ``serve --demo``).

Deterministic (``random.Random(42)``). ``scale`` multiplies the pipeline (accounts,
contacts, leads, opportunities and everything under them); the catalog (price books,
products, bundles) and the users are the same at every scale. Loading twice adds a second
pipeline next to the first and reuses catalog and users.

Quote lines are priced from the price book entries with ``pricing.line_total`` (bundle
lines split the bundle price with ``pricing.allocate``) and the quote totals, then the
opportunity amounts, are stored by ``amounts.recompute_quote`` / ``refresh_opportunity``,
all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from crm_graphql import db
from crm_graphql import models as m
from crm_graphql.enums import (
    AccountRelationKind,
    AccountType,
    ActivityType,
    CampaignStatus,
    ContractKind,
    ContractStatus,
    ConversionKind,
    InvoiceStatus,
    LeadStatus,
    LineItemSource,
    OpportunityStatus,
    ProductKind,
    QuoteStatus,
    Role,
    SalesOrderStatus,
    StageKind,
)
from crm_graphql.models.lines import LINE_FIELDS
from crm_graphql.services import amounts, numbering, pricing, users

D = Decimal
TODAY = dt.date(2026, 11, 2)
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

PARTNER_PIPELINE = "Partner channel"
#: A reseller among the demo companies: it becomes the partner account.
PARTNER_ACCOUNT = "Juniper Retail Group"
PARTNER_EMAIL = "pia.partner@crm.example"

RATES = {"USD": D("0.92"), "GBP": D("1.17"), "JPY": D("0.0062")}
#: name, type, status, currency, budget, start, end
CAMPAIGNS = [
    (
        "Spring Webinar 2026",
        "Webinar",
        CampaignStatus.COMPLETED,
        "EUR",
        D("5000.00"),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    ),
    (
        "Trade Show Chicago",
        "Trade show",
        CampaignStatus.ACTIVE,
        "USD",
        D("12000.00"),
        dt.date(2026, 9, 14),
        dt.date(2026, 9, 16),
    ),
    ("Autumn Newsletter", "E-mail", CampaignStatus.PLANNED, "EUR", None, dt.date(2026, 10, 1), None),
]

SPLIT_RULE = "Trade fair and webinar leads, three ways"
DEMO_USERS = [
    ("maria.keller@crm.example", "Maria Keller", Role.MANAGER),
    ("tom.becker@crm.example", "Tom Becker", Role.SALES_REP),
    ("lucia.fernandez@crm.example", "Lucía Fernández", Role.SALES_REP),
]

COMPANIES = [
    ("Nordwind Logistics", "Logistics", "Hamburg", "Germany"),
    ("Alpenblick Hotels", "Hospitality", "Innsbruck", "Austria"),
    ("Brightwater Energy", "Energy", "Bristol", "United Kingdom"),
    ("Casa Verde Foods", "Food & Beverage", "Valencia", "Spain"),
    ("Danube Medical Systems", "Healthcare", "Vienna", "Austria"),
    ("Elbe Precision Tools", "Manufacturing", "Dresden", "Germany"),
    ("Fjordline Shipping", "Logistics", "Bergen", "Norway"),
    ("Granite Peak Insurance", "Insurance", "Denver", "United States"),
    ("Harbor & Finch Law", "Legal", "Boston", "United States"),
    ("Iberia Solar", "Energy", "Seville", "Spain"),
    ("Juniper Retail Group", "Retail", "Manchester", "United Kingdom"),
    ("Kestrel Aerospace", "Aerospace", "Toulouse", "France"),
    ("Lakeside University", "Education", "Zurich", "Switzerland"),
    ("Meridian Pharma", "Pharmaceuticals", "Basel", "Switzerland"),
    ("Northgate Bank", "Financial Services", "Amsterdam", "Netherlands"),
    ("Orchard Street Clinics", "Healthcare", "Dublin", "Ireland"),
    ("Pinecrest Construction", "Construction", "Seattle", "United States"),
    ("Quayside Media", "Media", "Copenhagen", "Denmark"),
    ("Riverbend Brewing", "Food & Beverage", "Munich", "Germany"),
    ("Silverline Telecom", "Telecommunications", "Milan", "Italy"),
]
SUBSIDIARIES = [
    ("Nordwind Logistics Polska", 0, "Poznań", "Poland"),
    ("Brightwater Energy Services", 2, "Cardiff", "United Kingdom"),
    ("Meridian Pharma Research", 13, "Lyon", "France"),
    ("Northgate Bank Private Clients", 14, "Rotterdam", "Netherlands"),
]
PERSONS = [("Sofia", "Marino", "Turin", "Italy")]
#: (account, related account: indexes in COMPANIES, what the second is to the first, note); the
#: last one touches the private account, so only its owner sees it.
RELATIONS = [
    (0, 6, AccountRelationKind.PARTNER, "Joint logistics offer for Scandinavia"),
    (2, 9, AccountRelationKind.COMPETITOR, "Both bid for the Iberian grid tender"),
    (5, 11, AccountRelationKind.CUSTOMER, "Buys machined turbine parts"),
    (4, 13, AccountRelationKind.SUPPLIER, "Supplies lab reagents"),
    (18, 3, AccountRelationKind.AFFILIATE, "Same holding company"),
    (19, 17, AccountRelationKind.CUSTOMER, "Streams over our fibre network"),
]

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Katrin",
    "Lars",
    "Mia",
    "Nils",
    "Olivia",
    "Paul",
    "Rosa",
    "Simon",
    "Tara",
    "Viktor",
    "Wiebke",
    "Yusuf",
    "Zoe",
    "Emma",
]
LAST_NAMES = [
    "Schmidt",
    "Novak",
    "García",
    "Dubois",
    "Rossi",
    "Jansen",
    "Kowalski",
    "Murphy",
    "Lindqvist",
    "Weber",
    "Moreau",
    "Costa",
    "Nielsen",
    "Horvat",
    "Fischer",
    "Byrne",
    "Santos",
    "Wagner",
    "Berg",
    "Kaya",
]
TITLES = ["CEO", "CFO", "Head of IT", "Purchasing Manager", "Operations Director", "Office Manager", "CTO"]
LEAD_COMPANIES = [
    "Bluebird Bakeries",
    "Copperfield Dental",
    "Dovetail Furniture",
    "Evergreen Nurseries",
    "Falcon Security",
    "Glacier Water Co.",
    "Highland Outdoor",
    "Ivy Lane Architects",
    "Jetstream Travel",
    "Kingfisher Marine",
]
SOURCES = ["Website", "Trade fair", "Referral", "Cold call", "Partner", "Webinar"]

# (name, code, kind, term months, EUR price, unit)
PRODUCTS: list[tuple[str, str, ProductKind, int | None, str, str]] = [
    ("Laptop Pro 14", "HW-LP14", ProductKind.ONE_TIME, None, "1499.00", "pcs"),
    ("Laptop Pro 16", "HW-LP16", ProductKind.ONE_TIME, None, "1999.00", "pcs"),
    ("Laptop Air 13", "HW-LA13", ProductKind.ONE_TIME, None, "1099.00", "pcs"),
    ("Desktop Workstation X", "HW-DWX", ProductKind.ONE_TIME, None, "2450.00", "pcs"),
    ('27" 4K Monitor', "HW-MON27", ProductKind.ONE_TIME, None, "389.90", "pcs"),
    ('34" Curved Monitor', "HW-MON34", ProductKind.ONE_TIME, None, "549.00", "pcs"),
    ("Docking Station USB-C", "HW-DOCK", ProductKind.ONE_TIME, None, "229.00", "pcs"),
    ("Wireless Keyboard & Mouse", "HW-KBM", ProductKind.ONE_TIME, None, "79.90", "pcs"),
    ("Conference Speakerphone", "HW-SPK", ProductKind.ONE_TIME, None, "299.00", "pcs"),
    ("Meeting Room Camera 4K", "HW-CAM4K", ProductKind.ONE_TIME, None, "899.00", "pcs"),
    ("Network Switch 48-Port", "HW-SW48", ProductKind.ONE_TIME, None, "1290.00", "pcs"),
    ("Wi-Fi 6 Access Point", "HW-AP6", ProductKind.ONE_TIME, None, "345.00", "pcs"),
    ("Rack Server R740", "HW-R740", ProductKind.ONE_TIME, None, "6890.00", "pcs"),
    ("NAS Storage 32 TB", "HW-NAS32", ProductKind.ONE_TIME, None, "3150.00", "pcs"),
    ("UPS 3000 VA", "HW-UPS3K", ProductKind.ONE_TIME, None, "1180.00", "pcs"),
    ("Laser Printer A3", "HW-PRA3", ProductKind.ONE_TIME, None, "1320.00", "pcs"),
    ("Tablet 11", "HW-TAB11", ProductKind.ONE_TIME, None, "649.00", "pcs"),
    ("Onsite Installation (day)", "SV-INST", ProductKind.ONE_TIME, None, "960.00", "day"),
    ("Data Migration Service", "SV-MIGR", ProductKind.ONE_TIME, None, "2400.00", "pcs"),
    ("User Training Workshop", "SV-TRAIN", ProductKind.ONE_TIME, None, "1250.00", "day"),
    ("Support Plan (12 months)", "SP-STD12", ProductKind.TIME_BASED, 12, "480.00", "pcs"),
    ("Support Plan (24 months)", "SP-STD24", ProductKind.TIME_BASED, 24, "890.00", "pcs"),
    ("Premium Support (12 months)", "SP-PRE12", ProductKind.TIME_BASED, 12, "1200.00", "pcs"),
    ("Extended Warranty (36 months)", "WA-EXT36", ProductKind.TIME_BASED, 36, "199.00", "pcs"),
    ("Extended Warranty (60 months)", "WA-EXT60", ProductKind.TIME_BASED, 60, "299.00", "pcs"),
    ("Office Suite Licence (12 months)", "LI-OFF12", ProductKind.TIME_BASED, 12, "126.00", "user"),
    ("CRM Cloud Licence (12 months)", "LI-CRM12", ProductKind.TIME_BASED, 12, "540.00", "user"),
    ("Endpoint Security (12 months)", "LI-SEC12", ProductKind.TIME_BASED, 12, "48.00", "device"),
    ("Backup Cloud 1 TB (12 months)", "SB-BAK1T", ProductKind.TIME_BASED, 12, "360.00", "pcs"),
    ("Backup Cloud 10 TB (12 months)", "SB-BAK10", ProductKind.TIME_BASED, 12, "2900.00", "pcs"),
    ("Managed Firewall (12 months)", "SB-FW12", ProductKind.TIME_BASED, 12, "1740.00", "pcs"),
    ("Video Conferencing (12 months)", "LI-VID12", ProductKind.TIME_BASED, 12, "180.00", "user"),
    ("Design Suite Licence (12 months)", "LI-DES12", ProductKind.TIME_BASED, 12, "660.00", "user"),
    ("ERP Connector (12 months)", "LI-ERP12", ProductKind.TIME_BASED, 12, "2200.00", "pcs"),
    ("Monitoring Service (12 months)", "SB-MON12", ProductKind.TIME_BASED, 12, "960.00", "pcs"),
    ("Device Leasing Plan (36 months)", "SB-LEA36", ProductKind.TIME_BASED, 36, "1800.00", "pcs"),
    ("Helpdesk Hours Pack (12 months)", "SP-HRS12", ProductKind.TIME_BASED, 12, "1500.00", "pcs"),
    ("Print Service Contract (24 months)", "SP-PRN24", ProductKind.TIME_BASED, 24, "720.00", "pcs"),
    ("Domain & SSL (12 months)", "SB-SSL12", ProductKind.TIME_BASED, 12, "89.00", "pcs"),
    ("Email Archiving (12 months)", "SB-ARC12", ProductKind.TIME_BASED, 12, "240.00", "user"),
]
# (name, code, [(product code, quantity, weight)], EUR price)
BUNDLES = [
    (
        "Home Office Starter",
        "BU-HOME",
        [("HW-LA13", "1", "3"), ("HW-MON27", "1", "1"), ("HW-KBM", "1", "0.2")],
        "1449.00",
    ),
    (
        "Developer Workstation",
        "BU-DEV",
        [("HW-LP16", "1", "4"), ("HW-MON34", "2", "2"), ("HW-DOCK", "1", "0.5")],
        "3099.00",
    ),
    ("Meeting Room Kit", "BU-MEET", [("HW-CAM4K", "1", "1"), ("HW-SPK", "1", "1")], "1099.00"),
    ("Small Office Network", "BU-NET", [("HW-SW48", "1", "2"), ("HW-AP6", "4", "1"), ("SV-INST", "1", "1")], "3499.00"),
    (
        "Secure Workplace (12 months)",
        "BU-SEC",
        [("LI-SEC12", "1", "1"), ("SB-BAK1T", "1", "2"), ("LI-OFF12", "1", "1")],
        "499.00",
    ),
]
DEAL_WORDS = [
    "Laptop refresh",
    "Network upgrade",
    "Support renewal",
    "Meeting rooms",
    "New branch office",
    "Backup & recovery",
    "Security rollout",
    "Workplace modernisation",
    "Licence expansion",
    "Data centre refresh",
]
LOST_REASONS = ["Price too high", "Chose a competitor", "Project cancelled", "No budget this year"]
ACTIVITY_SUBJECTS = {
    ActivityType.CALL: ["Discovery call", "Follow-up call", "Pricing questions"],
    ActivityType.EMAIL: ["Sent product sheet", "Sent revised quote", "Reference customers"],
    ActivityType.MEETING: ["On-site demo", "Kick-off meeting", "Negotiation meeting"],
    ActivityType.TASK: ["Prepare proposal", "Check stock levels", "Send contract draft"],
    ActivityType.NOTE: ["Decision expected next month", "Budget approved", "Prefers annual billing"],
}


def _usd(eur: Decimal) -> Decimal:
    """A list price in USD: the EUR price / 0.92, to a .00 or .90 price point."""
    return (eur / D("0.92")).quantize(D("1")) - D("0.10") if eur >= 100 else (eur / D("0.92")).quantize(D("0.01"))


async def load_if_empty() -> None:
    """Load the demo data set into a database that has no accounts yet."""
    if not await m.Account.exists():
        await load()


async def load(scale: int = 1) -> dict[str, int]:
    """Load the demo data set (``scale`` times the pipeline); returns counts by kind."""
    scale = max(1, int(scale))
    rng = random.Random(42)
    await db.ensure_reference_data()
    admin = await users.demo_user()
    async with in_transaction() as conn:
        builder = _Builder(conn, rng, admin)
        await builder.users()
        await builder.rates()
        await builder.catalog()
        for batch in range(scale):
            await builder.pipeline(batch)
        await builder.partners_and_pipelines()
        await builder.campaigns()
        await builder.splits()
    return builder.counts


class _Builder:
    def __init__(self, conn: BaseDBAsyncClient, rng: random.Random, admin: m.User) -> None:
        self.conn = conn
        self.rng = rng
        self.admin = admin
        self.counts: dict[str, int] = {}
        self.team: list[m.User] = []
        self.products: dict[str, m.Product] = {}
        self.entries: dict[tuple[str, str], m.PricebookEntry] = {}
        self.bundles: list[tuple[m.Bundle, list[m.BundleItem], dict[str, Decimal]]] = []
        self.pricebook: m.Pricebook | None = None
        self.stages: list[m.Stage] = []

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    async def create(self, model: type[Any], **values: Any) -> Any:
        return await model.create(using_db=self.conn, **values)

    async def users(self) -> None:
        self.team = [self.admin]
        for email, name, role in DEMO_USERS:
            user, _ = await m.User.get_or_create(email=email, defaults={"name": name, "role": role}, using_db=self.conn)
            self.team.append(user)
        self.add("users", len(self.team))

    async def partners_and_pipelines(self) -> None:
        """A second pipeline ("Partner channel") holding a few open deals, and a partner account
        with a PARTNER user and two deals and a lead assigned to it (DOMAIN.md 8, 11)."""
        conn = self.conn
        pipeline = await m.Pipeline.filter(name=PARTNER_PIPELINE).using_db(conn).first()
        if pipeline is None:
            pipeline = await self.create(m.Pipeline, name=PARTNER_PIPELINE)
            await db.create_default_stages(conn, pipeline.id)
        stages = {s.name: s for s in await m.Stage.filter(pipeline_id=pipeline.id).using_db(conn)}
        open_deals = list(
            await m.Opportunity.filter(
                status=OpportunityStatus.OPEN, account__is_private=False, pipeline_id__not=pipeline.id
            )
            .using_db(conn)
            .order_by("id")
            .limit(6)
        )
        old_stages = {s.id: s for s in await m.Stage.filter(id__in=[o.stage_id for o in open_deals]).using_db(conn)}
        for opp in open_deals[2:]:  # moved into the partner channel, same stage name there
            stage = stages.get(old_stages[opp.stage_id].name) or stages["Prospecting"]
            await (
                m.Opportunity.filter(id=opp.id)
                .using_db(conn)
                .update(stage_id=stage.id, pipeline_id=pipeline.id, stage_entered_at=NOW - dt.timedelta(days=2))
            )
        partner = await m.Account.filter(name=PARTNER_ACCOUNT).using_db(conn).first()
        if partner is None:
            return
        await m.Account.filter(id=partner.id).using_db(conn).update(is_partner=True)
        await m.User.get_or_create(
            email=PARTNER_EMAIL,
            defaults={"name": "Pia Partner", "role": Role.PARTNER, "partner_account_id": partner.id},
            using_db=conn,
        )
        self.add("users")
        assigned = [o.id for o in open_deals[:2]]
        await m.Opportunity.filter(id__in=assigned).using_db(conn).update(partner_id=partner.id)
        lead = await m.Lead.filter(status=LeadStatus.NEW).using_db(conn).order_by("id").first()
        if lead is not None:
            await m.Lead.filter(id=lead.id).using_db(conn).update(partner_id=partner.id)

    async def campaigns(self) -> None:
        """Three campaigns (DOMAIN.md 11): a finished EUR webinar with a budget, leads and won
        deals; a USD trade show whose won deals are in EUR (its figures are converted); a planned
        newsletter without a budget or results yet."""
        conn = self.conn
        made = []
        for name, kind, status, currency, budget, start, end in CAMPAIGNS:
            campaign, _ = await m.Campaign.get_or_create(
                name=name,
                using_db=conn,
                defaults={
                    "type": kind,
                    "status": status,
                    "currency": currency,
                    "budget": budget,
                    "start_date": start,
                    "end_date": end,
                },
            )
            made.append(campaign)
        self.add("campaigns", len(made))
        webinar, show, newsletter = made
        public = m.Opportunity.filter(account__is_private=False, campaign_id__isnull=True).using_db(conn)
        won = list(await public.filter(status=OpportunityStatus.WON, currency="EUR").order_by("id").limit(5))
        others = list(await public.filter(status__not=OpportunityStatus.WON).order_by("id").limit(4))
        for campaign, deals in ((webinar, won[:2] + others[:2]), (show, won[2:5] + others[2:4])):
            await m.Opportunity.filter(id__in=[o.id for o in deals]).using_db(conn).update(campaign_id=campaign.id)
        leads = list(await m.Lead.filter(campaign_id__isnull=True).using_db(conn).order_by("id").limit(10))
        for campaign, chosen in ((webinar, leads[:5]), (show, leads[5:8]), (newsletter, leads[8:10])):
            await m.Lead.filter(id__in=[x.id for x in chosen]).using_db(conn).update(campaign_id=campaign.id)

    async def splits(self) -> None:
        """The lead splitter (DOMAIN.md 11): a rule sharing open trade-fair and webinar leads
        33/33/34 among the manager and the two reps, run over the demo leads (a few shared), and
        an open deal whose revenue is split 60/40 between its owner and another rep."""
        conn = self.conn
        reps = [u for u in self.team if u.role in (Role.MANAGER, Role.SALES_REP)][:3]
        if len(reps) < 3 or await m.LeadSplitRule.filter(name=SPLIT_RULE).using_db(conn).exists():
            return
        shares = [(reps[0].id, 33), (reps[1].id, 33), (reps[2].id, 34)]
        rule = await self.create(
            m.LeadSplitRule,
            name=SPLIT_RULE,
            lead_filter={"source": {"in": ["Trade fair", "Webinar"]}, "status": {"in": ["NEW", "WORKING"]}},
            shares=[{"user": u, "percent": p} for u, p in shares],
        )
        leads = await (
            m.Lead.filter(source__in=["Trade fair", "Webinar"], status__in=[LeadStatus.NEW, LeadStatus.WORKING])
            .filter(id__not_in=Subquery(m.LeadShare.all().values("lead_id")))
            .using_db(conn)
            .order_by("id")
        )
        await m.LeadShare.bulk_create(
            [
                m.LeadShare(lead_id=lead.id, user_id=u, percent=p, position=i, rule_id=rule.id)
                for lead in leads
                for i, (u, p) in enumerate(shares)
            ],
            using_db=conn,
        )
        self.add("sharedLeads", len(leads))
        deal = await (
            m.Opportunity.filter(
                status=OpportunityStatus.OPEN,
                account__is_private=False,
                partner_id=None,
                owner_id__in=[r.id for r in reps[1:]],
                amount__gt=0,
            )
            .using_db(conn)
            .order_by("id")
            .first()
        )
        if deal is not None:
            other = next(r for r in reps[1:] if r.id != deal.owner_id)
            await self.create(m.RevenueSplit, opportunity_id=deal.id, user_id=deal.owner_id, percent=60, position=0)
            await self.create(m.RevenueSplit, opportunity_id=deal.id, user_id=other.id, percent=40, position=1)
            self.add("splitDeals")

    async def rates(self) -> None:
        for currency, rate in RATES.items():
            await m.ExchangeRate.update_or_create(currency=currency, defaults={"rate": rate}, using_db=self.conn)
        self.add("exchangeRates", len(RATES))

    async def catalog(self) -> None:
        existing = await m.Product.filter(code__in=[p[1] for p in PRODUCTS]).using_db(self.conn)
        if existing:  # loaded before: reuse the catalog
            self.products = {p.code: p for p in existing}
            self.pricebook = await m.Pricebook.filter(version_label="2026").using_db(self.conn).first()
            pb_id = self.pricebook.id if self.pricebook else 0
            for e in await m.PricebookEntry.filter(pricebook_id=pb_id).using_db(self.conn):
                code = next(c for c, p in self.products.items() if p.id == e.product_id)
                self.entries[(code, e.currency)] = e
            for b in await m.Bundle.filter(pricebook_id=pb_id).using_db(self.conn):
                items = await m.BundleItem.filter(bundle_id=b.id).using_db(self.conn).order_by("position", "id")
                prices = {p.currency: p.price for p in await m.BundlePrice.filter(bundle_id=b.id).using_db(self.conn)}
                self.bundles.append((b, list(items), prices))
        else:
            await self._new_catalog()
        default = await m.Pipeline.filter(is_default=True).using_db(self.conn).first()
        stages = m.Stage.filter(pipeline_id=default.id if default else None).using_db(self.conn)
        self.stages = list(await stages.order_by("position", "id"))

    async def _new_catalog(self) -> None:
        old = await self.create(
            m.Pricebook,
            name="Standard Price List",
            version_label="2025",
            is_active=False,
            description="List prices valid until 31 December 2025.",
        )
        book = await self.create(
            m.Pricebook,
            name="Standard Price List",
            version_label="2026",
            supersedes=old,
            description="List prices from 1 January 2026.",
        )
        partner = await self.create(
            m.Pricebook,
            name="Partner Price List",
            version_label="2026",
            description="Reseller prices (15 % below list).",
        )
        self.pricebook = book
        self.add("pricebooks", 3)
        for name, code, kind, term, _price, unit in PRODUCTS:
            self.products[code] = await self.create(
                m.Product,
                name=name,
                code=code,
                kind=kind,
                term_months=term,
                default_unit=unit,
                description=f"{name}: {'subscription' if kind == ProductKind.TIME_BASED else 'one-time purchase'}.",
            )
        self.add("products", len(PRODUCTS))
        rows = []
        for _name, code, _kind, _term, price, unit in PRODUCTS:
            eur = D(price)
            product = self.products[code]
            rows.append(m.PricebookEntry(pricebook=book, product=product, currency="EUR", unit=unit, unit_price=eur))
            rows.append(
                m.PricebookEntry(pricebook=book, product=product, currency="USD", unit=unit, unit_price=_usd(eur))
            )
            rows.append(
                m.PricebookEntry(
                    pricebook=old,
                    product=product,
                    currency="EUR",
                    unit=unit,
                    unit_price=(eur * D("0.95")).quantize(D("0.01")),
                )
            )
            rows.append(
                m.PricebookEntry(
                    pricebook=partner,
                    product=product,
                    currency="EUR",
                    unit=unit,
                    unit_price=(eur * D("0.85")).quantize(D("0.01")),
                )
            )
        await m.PricebookEntry.bulk_create(rows, using_db=self.conn)
        self.add("pricebookEntries", len(rows))
        for e in await m.PricebookEntry.filter(pricebook_id=book.id).using_db(self.conn):
            code = next(c for c, p in self.products.items() if p.id == e.product_id)
            self.entries[(code, e.currency)] = e
        for name, code, parts, price in BUNDLES:
            bundle = await self.create(
                m.Bundle, pricebook=book, name=name, code=code, description=f"{name} bundle at a package price."
            )
            items = [
                m.BundleItem(bundle=bundle, product=self.products[pc], position=i, quantity=D(q), weight=D(w))
                for i, (pc, q, w) in enumerate(parts, start=1)
            ]
            await m.BundleItem.bulk_create(items, using_db=self.conn)
            prices = {"EUR": D(price), "USD": _usd(D(price))}
            await m.BundlePrice.bulk_create(
                [m.BundlePrice(bundle=bundle, currency=c, price=p) for c, p in prices.items()], using_db=self.conn
            )
            self.bundles.append((bundle, items, prices))
            self.add("bundleItems", len(items))
            self.add("bundlePrices", len(prices))
        self.add("bundles", len(BUNDLES))

    # -- the pipeline -------------------------------------------------------------------

    async def pipeline(self, batch: int) -> None:
        rng = self.rng
        suffix = "" if batch == 0 else f" {batch + 1}"
        reps = self.team[1:]
        accounts: list[m.Account] = []
        for i, (name, industry, city, country) in enumerate(COMPANIES):
            private = batch == 0 and i == len(COMPANIES) - 1
            accounts.append(
                await self.create(
                    m.Account,
                    type=AccountType.ORGANIZATION,
                    name=name + suffix,
                    industry=industry,
                    city=city,
                    country=country,
                    email=f"info@{name.split()[0].lower()}.example",
                    phone=_phone(rng),
                    website=f"https://www.{name.split()[0].lower()}.example",
                    owner=reps[2] if private else rng.choice(reps),
                    is_private=private,
                )
            )
        for name, parent, city, country in SUBSIDIARIES:
            accounts.append(
                await self.create(
                    m.Account,
                    type=AccountType.ORGANIZATION,
                    name=name + suffix,
                    industry=accounts[parent].industry,
                    city=city,
                    country=country,
                    parent=accounts[parent],
                    owner=accounts[parent].owner,
                )
            )
        for first, last, city, country in PERSONS:
            accounts.append(
                await self.create(
                    m.Account,
                    type=AccountType.PERSON,
                    name=f"{first} {last}{suffix}",
                    first_name=first,
                    last_name=last,
                    city=city,
                    country=country,
                    owner=rng.choice(reps),
                )
            )
        self.add("accounts", len(accounts))
        for a, b, kind, note in RELATIONS:
            await self.create(m.AccountRelation, account=accounts[a], linked=accounts[b], kind=kind, note=note)
        self.add("accountRelations", len(RELATIONS))

        contacts_by_account: dict[int, list[m.Contact]] = {}
        for i in range(60):
            account = accounts[i % len(accounts)]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contact = await self.create(
                m.Contact,
                first_name=first,
                last_name=last,
                title=rng.choice(TITLES),
                account=account,
                email=f"{first.lower()}.{last.lower()}{i}@{account.name.split()[0].lower()}.example",
                phone=_phone(rng),
                owner=account.owner,
            )
            contacts_by_account.setdefault(account.id, []).append(contact)
        self.add("contacts", 60)

        statuses = [LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED]
        leads = []
        for i in range(20):
            status = statuses[i % 4] if i % 5 else LeadStatus.NEW
            leads.append(
                m.Lead(
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    company=LEAD_COMPANIES[i % len(LEAD_COMPANIES)],
                    title=rng.choice(TITLES),
                    email=f"lead{batch}-{i}@{LEAD_COMPANIES[i % len(LEAD_COMPANIES)].split()[0].lower()}.example",
                    phone=_phone(rng),
                    source=rng.choice(SOURCES),
                    status=status,
                    owner=rng.choice(reps),
                    disqualified_reason="No budget" if status == LeadStatus.DISQUALIFIED else None,
                    qualified_at=NOW if status == LeadStatus.QUALIFIED else None,
                )
            )
        await m.Lead.bulk_create(leads, using_db=self.conn)
        self.add("leads", 20)

        opportunities = []
        for i in range(80):
            opportunities.append(await self._opportunity(i, accounts, contacts_by_account))
        self.add("opportunities", 80)
        await self._activities(accounts, opportunities, contacts_by_account)

    async def _opportunity(self, i: int, accounts: list[m.Account], contacts: dict[int, list[m.Contact]]) -> Any:
        rng = self.rng
        account = accounts[i % len(accounts)]
        stage = self.stages[i % len(self.stages)]
        currency = "USD" if account.country == "United States" or i % 4 == 3 else "EUR"
        status = {
            StageKind.OPEN: OpportunityStatus.OPEN,
            StageKind.WON: OpportunityStatus.WON,
            StageKind.LOST: OpportunityStatus.LOST,
        }[stage.kind]
        close = TODAY + dt.timedelta(days=rng.randint(-90, 150))
        closed_at = None
        if status != OpportunityStatus.OPEN:  # DOMAIN.md 3: closed on its close date, at 00:00 UTC
            close = min(close, TODAY)
            closed_at = dt.datetime.combine(close, dt.time(0, 0), dt.UTC)
        contact_list: list[m.Contact | None] = [*contacts.get(account.id, [])] or [None]
        opp = await self.create(
            m.Opportunity,
            title=f"{rng.choice(DEAL_WORDS)} - {account.name}",
            account=account,
            contact=rng.choice(contact_list),
            owner=account.owner,
            stage=stage,
            pipeline_id=stage.pipeline_id,
            status=status,
            probability=stage.probability,
            currency=currency,
            pricebook=self.pricebook,
            manual_amount=D(rng.randrange(5, 200) * 500),
            close_date=close,
            closed_at=closed_at,
            stage_entered_at=closed_at or NOW - dt.timedelta(days=(i * 7) % 40 + 1, hours=i % 9),
            source=rng.choice(SOURCES),
            lost_reason=rng.choice(LOST_REASONS) if status == "LOST" else None,
        )
        # Prospecting deals mostly have no quote yet (their amount is the manual budget).
        if stage.position > 1 or i % 3 == 0:
            quotes = 2 if i % 5 == 0 else 1
            for n in range(quotes):
                await self._quote(opp, account, active=n == quotes - 1, superseded=n < quotes - 1)
        else:
            await amounts.refresh_opportunity(self.conn, opp.id, record=False)
        return opp

    async def _quote(self, opp: Any, account: m.Account, *, active: bool, superseded: bool) -> None:
        rng = self.rng
        conn = self.conn
        if opp.status == OpportunityStatus.WON:
            status = QuoteStatus.ACCEPTED if active else QuoteStatus.REJECTED
        elif opp.status == OpportunityStatus.LOST:
            status = QuoteStatus.REJECTED
        else:
            status = rng.choice([QuoteStatus.DRAFT, QuoteStatus.SENT]) if active else QuoteStatus.REJECTED
        valid_from = (opp.close_date or TODAY) - dt.timedelta(days=45)
        quote = await self.create(
            m.Quote,
            number=await numbering.next_number(conn, "Q"),
            name=f"Offer: {opp.title}",
            account=account,
            contact_id=opp.contact_id,
            opportunity=opp,
            pricebook=self.pricebook,
            owner_id=opp.owner_id,
            currency=opp.currency,
            status=status,
            is_active=active,
            valid_from=valid_from,
            valid_until=valid_from + dt.timedelta(days=30),
            discount_percent=rng.choice([D(0), D(0), D(5), D("7.5"), D(10)]),
        )
        items: list[m.QuoteItem] = []
        codes = rng.sample(sorted(self.products), rng.randint(1, 5))
        tax = rng.choice([D(19), D(20), D(21), D(0)])
        for pos, code in enumerate(codes, start=1):
            entry = self.entries[(code, quote.currency)]
            qty = D(rng.choice([1, 1, 2, 3, 5, 10, 25]))
            discount = rng.choice([D(0), D(0), D(0), D(5), D(10), D("12.5")])
            items.append(
                m.QuoteItem(
                    quote=quote,
                    position=pos,
                    currency=quote.currency,
                    product=self.products[code],
                    name=self.products[code].name,
                    quantity=qty,
                    unit=entry.unit,
                    unit_price=entry.unit_price,
                    discount_percent=discount,
                    tax_rate=tax,
                    source=LineItemSource.PRICEBOOK,
                    pricebook_entry=entry,
                    line_total=pricing.line_total(qty, entry.unit_price, discount, quote.currency),
                )
            )
        if rng.random() < 0.25:  # a bundle, split by weight
            bundle, parts, prices = rng.choice(self.bundles)
            group = str(uuid.UUID(int=rng.getrandbits(128)))
            shares = pricing.allocate(prices[quote.currency], [p.weight for p in parts], quote.currency)
            for part, share in zip(parts, shares, strict=True):
                product = next(p for p in self.products.values() if p.id == part.product_id)
                items.append(
                    m.QuoteItem(
                        quote=quote,
                        position=len(items) + 1,
                        currency=quote.currency,
                        product=product,
                        name=product.name,
                        quantity=part.quantity,
                        unit=product.default_unit,
                        unit_price=pricing.unit_price_from_total(share, part.quantity),
                        tax_rate=tax,
                        line_total=share,
                        source=LineItemSource.BUNDLE,
                        bundle=bundle,
                        bundle_group=group,
                        weight=part.weight,
                    )
                )
        if rng.random() < 0.15:  # a hand-written line
            price = D(rng.randrange(100, 3000))
            items.append(
                m.QuoteItem(
                    quote=quote,
                    position=len(items) + 1,
                    currency=quote.currency,
                    name="Project management (flat fee)",
                    quantity=D(1),
                    unit_price=price,
                    tax_rate=tax,
                    source=LineItemSource.MANUAL,
                    line_total=pricing.line_total(D(1), price, D(0), quote.currency),
                )
            )
        await m.QuoteItem.bulk_create(items, using_db=conn)
        if superseded:
            await m.Quote.filter(id=quote.id).using_db(conn).update(superseded_at=NOW)
        await amounts.recompute_quote(conn, quote, record=False)
        self.add("quotes")
        self.add("quoteItems", len(items))
        if active and opp.status == OpportunityStatus.WON:
            await self._fulfil(opp, quote)

    async def _fulfil(self, opp: Any, quote: m.Quote) -> None:
        """A won deal: contracts for its product lines; most get an order, some an invoice."""
        conn = self.conn
        items = list(await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).order_by("position", "id"))
        totals = amounts.totals_of(items, quote.discount_percent, quote.currency)
        shares = pricing.allocate(totals.net_total, list(totals.line_totals), quote.currency)
        start = opp.close_date if opp.close_date <= TODAY else TODAY
        product_by_id = {p.id: p for p in self.products.values()}
        for item, share in zip(items, shares, strict=True):
            if item.product_id is None:
                continue
            product = product_by_id[item.product_id]
            timed = product.kind == ProductKind.TIME_BASED
            contract = await self.create(
                m.Contract,
                number=await numbering.next_number(conn, "C"),
                name=f"{product.name} - {opp.title}",
                kind=ContractKind.TIME_BASED if timed else ContractKind.ONE_TIME,
                status=ContractStatus.ACTIVE,
                account_id=opp.account_id,
                opportunity=opp,
                product=product,
                owner_id=opp.owner_id,
                start_date=start,
                end_date=_add_months(start, product.term_months or 0) if timed else None,
                quantity=item.quantity,
                value=share,
                currency=quote.currency,
            )
            await self._link("Opportunity", opp.id, "Contract", contract.id, ConversionKind.OPPORTUNITY_TO_CONTRACT)
            self.add("contracts")
        won = self.counts.get("wonDeals", 0)
        self.counts["wonDeals"] = won + 1
        totals_fields = {
            k: getattr(quote, k)
            for k in (
                "subtotal",
                "discount_total",
                "net_total",
                "tax_total",
                "rounding_total",
                "total",
                "discount_percent",
                "currency",
            )
        }
        order = None
        if won % 3 != 2:
            order = await self.create(
                m.SalesOrder,
                number=await numbering.next_number(conn, "SO"),
                name=quote.name,
                account_id=opp.account_id,
                contact_id=quote.contact_id,
                opportunity=opp,
                quote=quote,
                owner_id=opp.owner_id,
                status=SalesOrderStatus.FULFILLED if won % 2 else SalesOrderStatus.CONFIRMED,
                **totals_fields,
            )
            await m.SalesOrderItem.bulk_create(
                [m.SalesOrderItem(sales_order=order, **_copy(i)) for i in items], using_db=conn
            )
            await m.Quote.filter(id=quote.id).using_db(conn).update(ordered_at=NOW)
            await self._link("Quote", quote.id, "SalesOrder", order.id, ConversionKind.QUOTE_TO_ORDER)
            self.add("salesOrders")
        if won % 3 != 1:
            invoice = await self.create(
                m.Invoice,
                number=await numbering.next_number(conn, "INV"),
                name=quote.name,
                account_id=opp.account_id,
                contact_id=quote.contact_id,
                opportunity=opp,
                quote=quote,
                sales_order=order,
                owner_id=opp.owner_id,
                status=[InvoiceStatus.DRAFT, InvoiceStatus.ISSUED, InvoiceStatus.PAID][won % 3],
                due_date=TODAY + dt.timedelta(days=14),
                issued_at=NOW if won % 3 else None,
                paid_at=NOW if won % 3 == 2 else None,
                **totals_fields,
            )
            await m.InvoiceItem.bulk_create([m.InvoiceItem(invoice=invoice, **_copy(i)) for i in items], using_db=conn)
            # A sale is invoiced once (DOMAIN.md 5): the quote carries the claim either way.
            await m.Quote.filter(id=quote.id).using_db(conn).update(invoiced_at=NOW)
            if order is None:
                await self._link("Quote", quote.id, "Invoice", invoice.id, ConversionKind.QUOTE_TO_INVOICE)
            else:
                await m.SalesOrder.filter(id=order.id).using_db(conn).update(invoiced_at=NOW)
                await self._link("SalesOrder", order.id, "Invoice", invoice.id, ConversionKind.ORDER_TO_INVOICE)
            self.add("invoices")
        await self._link("Opportunity", opp.id, "Quote", quote.id, ConversionKind.OPPORTUNITY_TO_QUOTE)

    async def _link(self, st: str, sid: int, tt: str, tid: int, kind: ConversionKind) -> None:
        await self.create(m.LineageLink, source_type=st, source_id=sid, target_type=tt, target_id=tid, kind=kind)

    async def _activities(self, accounts: list[m.Account], opps: list[Any], contacts: dict[int, list[Any]]) -> None:
        rng = self.rng
        rows = []
        for i in range(100):
            kind = list(ActivityType)[i % len(ActivityType)]
            opp = opps[i % len(opps)]
            done = i % 3 == 0
            due = NOW + dt.timedelta(days=rng.randint(-30, 30), hours=rng.randint(0, 8))
            target: dict[str, Any] = {"opportunity": opp, "account_id": opp.account_id}
            if i % 4 == 1:
                account = rng.choice(accounts)
                target = {"account": account}
                if contacts.get(account.id):
                    target["contact"] = rng.choice(contacts[account.id])
            rows.append(
                m.Activity(
                    type=kind,
                    subject=rng.choice(ACTIVITY_SUBJECTS[kind]),
                    due_at=due,
                    assignee_id=opp.owner_id,
                    is_done=done,
                    done_at=due if done else None,
                    **target,
                )
            )
        await m.Activity.bulk_create(rows, using_db=self.conn)
        self.add("activities", len(rows))


def _copy(item: m.QuoteItem) -> dict[str, Any]:
    return {n: getattr(item, n) for n in LINE_FIELDS}


def _phone(rng: random.Random) -> str:
    return f"+{rng.choice([43, 44, 49, 33, 34, 39, 31, 1])} {rng.randint(100, 999)} {rng.randint(100000, 9999999)}"


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

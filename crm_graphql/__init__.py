"""crm-graphql: a GraphQL API server for the sales side of a CRM."""

__version__ = "0.1.0"

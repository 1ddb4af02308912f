"""GraphQL object types, one module per models/ module; cross references are lazy."""

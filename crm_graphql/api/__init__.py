"""The GraphQL layer: decode, call one service, map."""

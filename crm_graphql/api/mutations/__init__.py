"""Mutations: one module per services/ module; each resolver decodes, calls one service, maps."""

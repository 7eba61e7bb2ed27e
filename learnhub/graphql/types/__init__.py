"""GraphQL types, one module per domain, with their field resolvers."""

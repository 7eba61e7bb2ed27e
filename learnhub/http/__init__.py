"""The Starlette edge: the GraphQL view, middleware, client address, GraphiQL, REST routes."""

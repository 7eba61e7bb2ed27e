"""Everything that knows Strawberry or graphql-core: the schema, context, execution, relay, types, root resolvers."""

"""What the tests share and are not tests themselves: the GraphQL client, data builders, the live
gateway, mail, crashing gateways and the worlds of the permission tests."""

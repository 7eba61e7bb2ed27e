"""Payments and subscriptions: checkout, provider webhooks, entitlements, reconciliation."""

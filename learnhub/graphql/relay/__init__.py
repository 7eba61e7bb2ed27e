"""Relay plumbing: node ids, connections and cursors, selection reading, prefetch."""

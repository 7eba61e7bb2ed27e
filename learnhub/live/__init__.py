"""Live updates (events in Redis Streams, read with cursors) and offline sync."""

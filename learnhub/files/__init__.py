"""Files: uploads straight to object storage, their metadata in PostgreSQL, downloads by URL."""

"""The public-read cache: anonymous answers of catalogue, course, lesson and quiz reads, kept in
process and in Redis, dropped as a whole whenever published content changes."""

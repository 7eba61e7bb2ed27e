"""Share links: public, revocable links to a preview of a course, lesson or quiz."""

"""Developer tools of CRM Lab: the generators of course documents and the course website.

Run them from the repository root, e.g. ``python -m tools.glossary``."""

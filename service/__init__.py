"""Sammen: surveys and before/after outcome evaluation for Danish municipal social services."""

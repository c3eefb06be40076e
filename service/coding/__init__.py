"""Coding citizens' free-text answers into themes: the code list of an evaluation and each
coder's codes for each answer (storage: store.py; the HTTP doors:
service/evaluations/coding_api.py; the coders' agreement: the `coding` measure)."""

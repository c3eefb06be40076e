"""Questionnaires, the forms citizens, relatives and staff fill in, and their answers."""

"""`sammen demo-data`: a demo evaluation with planted effects, written through the real
schema (design.py says what is planted, generate.py makes the rows, load.py COPYs them)."""

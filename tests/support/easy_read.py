"""A small easy-read questionnaire to test with: two agreement items and a free text,
each with its easy words (`easy`), for the form's and the browser's tests."""

LET = """
id = "let_borger"
version = 1
audience = "citizen"
title = { da = "Din støtte" }
easy_read = true

[themes]
indflydelse = { da = "Indflydelse" }

[[sections]]
id = "dig"
title = { da = "Om dig" }
theme = "indflydelse"

[[sections.items]]
id = "bestemmer"
type = "agreement"
text = { da = "Jeg har indflydelse på beslutninger om mit eget liv" }
easy = { da = "Jeg bestemmer selv i mit liv.", en = "I decide in my own life." }

[[sections.items]]
id = "lytter"
type = "agreement"
text = { da = "Personalet lytter til mig, når jeg fortæller om mine ønsker" }
easy = { da = "De lytter til mig." }

[[sections.items]]
id = "ord"
type = "free_text"
text = { da = "Er der andet, du vil fortælle os?" }
easy = { da = "Vil du sige mere?" }
"""

"""A small questionnaire that uses every item type, shared by the loader and answer tests.

Positions matter to the loader tests (they expect paths such as `$.sections[0].items[1]`):

    sections[0] om_dig      items: tilfreds, stress, anbefale, kontakt, hjaelp, bostoette
    sections[1] plan        items: har_plan, plan_tilfreds, plan_hvorfor, kommentar
    sections[2] samarbejde  items: rolle, samarbejde_med
    sections[3] prioritet   items: vigtigst
    sections[4] maal        items: egne_maal (goals set at baseline)
"""

from __future__ import annotations

import pytest

from service.surveys import loader
from service.surveys.model import Questionnaire

FILE_NAME = "borger.toml"

VALID_TOML = """\
id = "trivsel"
version = 1
audience = "staff"
title = { da = "Trivsel og samarbejde", en = "Wellbeing and collaboration" }

[themes]
trivsel = { da = "Trivsel", en = "Wellbeing" }
samarbejde = { da = "Samarbejde", en = "Collaboration" }

[[sections]]
id = "om_dig"
title = { da = "Om dig" }
theme = "trivsel"

[[sections.items]]
id = "tilfreds"
type = "agreement"
text = { da = "Jeg er tilfreds med hjælpen", en = "I am satisfied with the help" }
dont_know = true

[[sections.items]]
id = "stress"
type = "frequency"
text = { da = "Jeg føler mig stresset" }
reverse = true

[[sections.items]]
id = "anbefale"
type = "scale_0_10"
text = { da = "Hvor sandsynligt er det, at du vil anbefale os?" }
low = { da = "Slet ikke sandsynligt" }
high = { da = "Meget sandsynligt" }

[[sections.items]]
id = "kontakt"
type = "single_choice"
text = { da = "Hvordan har du oftest kontakt med os?" }
options = [
  { value = 1, text = { da = "Telefon" } },
  { value = 2, text = { da = "Mail" } },
  { value = 3, text = { da = "Møde" } },
]

[[sections.items]]
id = "hjaelp"
type = "multiple_choice"
text = { da = "Hvilken hjælp får du?" }
options = [
  { value = 1, text = { da = "Praktisk hjælp" } },
  { value = 2, text = { da = "Samtaler" } },
  { value = 4, text = { da = "Bostøtte" } },
]

[[sections.items]]
id = "bostoette"
type = "agreement"
text = { da = "Bostøtten hjælper mig" }
show_if = { item = "hjaelp", any_of = [4] }

[[sections]]
id = "plan"
title = { da = "Din plan" }
theme = "trivsel"

[[sections.items]]
id = "har_plan"
type = "yes_no"
text = { da = "Har du en handleplan?" }

[[sections.items]]
id = "plan_tilfreds"
type = "agreement"
text = { da = "Jeg er tilfreds med min handleplan" }
show_if = { item = "har_plan", any_of = [1] }

[[sections.items]]
id = "plan_hvorfor"
type = "free_text"
text = { da = "Hvad kunne være bedre ved planen?" }
max_length = 40
show_if = { item = "plan_tilfreds", any_of = [1, 2] }

[[sections.items]]
id = "kommentar"
type = "free_text"
text = { da = "Andre kommentarer" }
theme = "samarbejde"

[[sections]]
id = "samarbejde"
title = { da = "Samarbejde" }
theme = "samarbejde"

[[sections.items]]
id = "rolle"
type = "role"
text = { da = "Hvilken faggruppe tilhører du?" }
options = [
  { key = "udfoerer", text = { da = "Pædagog" } },
  { key = "sygepleje", text = { da = "Sygeplejerske" } },
  { key = "myndighed", text = { da = "Socialrådgiver" } },
]

[[sections.items]]
id = "samarbejde_med"
type = "matrix"
text = { da = "Hvordan er samarbejdet med de andre faggrupper?" }
scale = "frequency"
dont_know = true
exclude_row_of = "rolle"
rows = [
  { key = "udfoerer", text = { da = "Pædagoger" } },
  { key = "sygepleje", text = { da = "Sygeplejersker" } },
  { key = "myndighed", text = { da = "Socialrådgivere" } },
]
dimensions = [
  { key = "tillid", text = { da = "Vi har tillid til hinanden" } },
  { key = "information", text = { da = "Jeg får den information, jeg har brug for" } },
]

[[sections]]
id = "prioritet"
title = { da = "Det vigtigste for dig" }

[[sections.items]]
id = "vigtigst"
type = "best_worst"
text = { da = "Hvad er vigtigst og mindst vigtigt for dig?", en = "What matters most and least to you?" }
per_set = 3
options = [
  { value = 1, text = { da = "At blive lyttet til", en = "Being listened to" } },
  { value = 2, text = { da = "Egne mål", en = "Own goals" } },
  { value = 3, text = { da = "Sammenhæng", en = "Coordination" } },
  { value = 4, text = { da = "Pårørende", en = "Relatives" } },
  { value = 5, text = { da = "Livskvalitet", en = "Quality of life" } },
]

[[sections]]
id = "maal"
title = { da = "Dine mål" }

[[sections.items]]
id = "egne_maal"
type = "goal"
stage = "set"
goals = 2
max_length = 40
text = { da = "Hvad vil du gerne nå?", en = "What would you like to achieve?" }
"""


@pytest.fixture(scope="session")
def valid_toml() -> str:
    return VALID_TOML


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return loader.decode(VALID_TOML, FILE_NAME)

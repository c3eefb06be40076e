"""How the coding measure is computed and printed as a table (its definition: definition.py).

Each coder's yes/no per answer and code leaves PostgreSQL (the agreement needs the pairs);
only counts and agreement over at least the threshold's answers leave this module."""

from __future__ import annotations

from collections import defaultdict

import asyncpg
import msgspec
import pandas as pd

from service.analysis.measures.measure import NoParameters
from service.analysis.stats.agreement import Agreement, cohens_kappa, krippendorff_alpha

# $1 evaluation. Every coded answer × every code of the list: whether that coder gave it;
# with the item's own threshold where its questionnaire sets a stricter one.
CODINGS = """
select ca.item_id, ca.response_id, ca.coder, c.key, c.label,
       exists (select 1 from coding g where g.response_id = ca.response_id and g.item_id = ca.item_id
                  and g.coder = ca.coder and g.code_id = c.id) as tagged,
       (select max(qi.min_group_size) from questionnaire_item qi join response r
           on r.questionnaire_version_id = qi.questionnaire_version_id
         where r.id = ca.response_id and qi.item_id = ca.item_id and qi.dimension = '') as item_threshold
  from coded_answer ca join code c on c.evaluation_id = ca.evaluation_id
 where ca.evaluation_id = $1
 order by ca.item_id, c.id, ca.response_id, ca.coder
"""


class CodeAgreement(msgspec.Struct, frozen=True, kw_only=True):
    item_id: str
    code: str
    label: str
    threshold: int
    coders: int
    answers: int | None  # coded by any coder; None under the threshold
    tagged: int | None  # given the code by any coder; None under the threshold
    kappa: Agreement | None = None  # the two coders who coded most, over the answers both coded
    alpha: Agreement | None = None  # every coder


RESULT = list[CodeAgreement]


async def compute(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int,
                  p: NoParameters) -> list[CodeAgreement]:
    by: dict[tuple[str, str, str], dict[int, dict[str, bool]]] = defaultdict(lambda: defaultdict(dict))
    thresholds: dict[str, int] = {}
    for r in await conn.fetch(CODINGS, evaluation_id):
        by[(r["item_id"], r["key"], r["label"])][r["response_id"]][r["coder"]] = r["tagged"]
        thresholds[r["item_id"]] = max(min_group_size, r["item_threshold"] or 0, thresholds.get(r["item_id"], 0))
    out = []
    for (item, key, label), answers in by.items():
        threshold = thresholds[item]
        coders = sorted({c for tags in answers.values() for c in tags})
        tagged = sum(any(tags.values()) for tags in answers.values())
        shown = len(answers) >= threshold
        both_sides = shown and tagged >= threshold and len(answers) - tagged >= threshold
        kappa = alpha = None
        if both_sides and len(coders) >= 2:
            most = sorted(coders, key=lambda c: (-sum(c in tags for tags in answers.values()), c))[:2]
            kappa = cohens_kappa([answers[a].get(most[0]) for a in answers], [answers[a].get(most[1]) for a in answers])
            alpha = krippendorff_alpha([[answers[a].get(c) for a in answers] for c in coders])
        out.append(CodeAgreement(item_id=item, code=key, label=label, threshold=threshold, coders=len(coders),
                                 answers=len(answers) if shown else None,
                                 tagged=tagged if shown and tagged >= threshold else None,
                                 kappa=kappa, alpha=alpha))
    return out


def table(results: list[CodeAgreement], p: NoParameters) -> str:
    frame = pd.DataFrame([{"item_id": r.item_id, "code": r.code, "answers": r.answers, "tagged": r.tagged,
                           "coders": r.coders, "kappa": r.kappa.estimate if r.kappa else None,
                           "alpha": r.alpha.estimate if r.alpha else None} for r in results])
    return "no free text coded" if frame.empty else frame.to_string(index=False, float_format="%.3g")

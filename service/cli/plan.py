"""`sammen plan ...`: the evaluation plan, with the functions of the admin API
(service/admin/plan.py), and `sammen plan power`, sample size and power for a planned
comparison (service/analysis/stats/power.py), which needs no database.

    sammen plan power --outcome mean --effect 0.3                       # n per group for power 0.8
    sammen plan power --outcome mean --design paired --n 120            # the minimal detectable d_z
    sammen plan power --outcome proportion --p1 0.56 --p2 0.69 --n 150  # the power
    sammen plan power --outcome proportion --design paired --p1 0.56 --p2 0.66 --discordant 0.3"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg

from service.admin import plan
from service.admin.model import NewOutcome
from service.cli.arguments import identifier
from service.cli.command import Command, Group, arg
from service.cli.setup import body
from service.config import Settings
from service.design import plan as design_plan

if TYPE_CHECKING:
    from service.analysis.stats.power import Alternative, Design


async def add(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, kind: str, questionnaire: str,
              theme: str | None, item: str | None, comparison: str, direction: str, audience: str | None,
              note: str) -> Any:
    return await plan.add_outcome(conn, evaluation, body(
        NewOutcome, kind=kind, questionnaire_id=questionnaire, theme=theme, item=item, comparison=comparison,
        expected_direction=direction, audience=audience, note=note))


async def show(conn: asyncpg.Connection, settings: Settings, *, evaluation: int) -> Any:
    return await design_plan.plan(conn, evaluation)


async def lock(conn: asyncpg.Connection, settings: Settings, *, evaluation: int) -> Any:
    return await plan.lock_plan(conn, evaluation)


async def scoring_rule(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, min_share: float) -> Any:
    await plan.set_scoring_rule(conn, evaluation, min_share)
    return await design_plan.plan(conn, evaluation)


async def remove(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, outcome: int) -> Any:
    return await plan.remove_outcome(conn, evaluation, outcome)


def power(*, outcome: str, design: Design, effect: float | None, difference: float | None, sd: float | None,
          p1: float | None, p2: float | None, discordant: float | None, n: float | None, power: float | None,
          alpha: float, ratio: float, alternative: Alternative) -> str:
    from service.analysis.measures.summary.results import to_json
    from service.analysis.stats.power import power_means, power_proportions

    if outcome == "mean":
        found = power_means(design=design, effect=effect, difference=difference, sd=sd, n=n, power=power,
                            alpha=alpha, ratio=ratio, alternative=alternative)
    else:
        if p1 is None:
            raise ValueError("--p1: give the share before")
        found = power_proportions(design=design, p1=p1, p2=p2, n=n, power=power, alpha=alpha, ratio=ratio,
                                  alternative=alternative, discordant=discordant)
    return to_json(found)


EVALUATION = arg("--evaluation", type=identifier, required=True)

GROUPS = [Group(words=("plan",), help="the evaluation plan: planned outcomes, its lock")]

COMMANDS = [
    Command(words=("plan", "add"), help="add a planned outcome (refused once the plan is locked)", run=add,
            arguments=(
                EVALUATION,
                arg("--kind", required=True, choices=["primary", "secondary"]),
                arg("--questionnaire", required=True, help="questionnaire id, e.g. borger"),
                arg("--theme", one_of="target", help="a theme of the questionnaire's codebook, e.g. indflydelse"),
                arg("--item", one_of="target", help="an item of the questionnaire, e.g. indflydelse_eget_liv"),
                arg("--comparison", required=True,
                    choices=["before_after", "intervention_vs_comparison", "difference_in_differences"]),
                arg("--direction", default="any", choices=["increase", "decrease", "any"],
                    help="the direction expected (default: any)"),
                arg("--audience", choices=["citizen", "relative", "staff", "meeting"],
                    help="default: the questionnaire's (and it must be that)"),
                arg("--note", default=""))),
    Command(words=("plan", "list"), help="the plan and its lock", run=show, arguments=(EVALUATION,)),
    Command(words=("plan", "lock"), help="lock the plan now (it cannot change after)", run=lock,
            arguments=(EVALUATION,)),
    Command(words=("plan", "scoring-rule"), help="the share of a theme's items a response must answer for its theme"
            " score to count (default 0.5); only before the lock", run=scoring_rule,
            arguments=(EVALUATION, arg("--min-share", type=float, required=True))),
    Command(words=("plan", "remove"), help="take an outcome out of a plan that is not locked", run=remove,
            arguments=(EVALUATION, arg("outcome", type=identifier))),
    Command(words=("plan", "power"), help="sample size, power or minimal detectable change of a comparison (give two,"
            " get the third)", run=power, needs="nothing", prints="text", arguments=(
                arg("--outcome", required=True, choices=["mean", "proportion"]),
                arg("--design", default="independent", choices=["independent", "paired"],
                    help="independent waves (default) or the same respondents before and after"),
                arg("--effect", type=float, help="means: Cohen's d (d_z when paired)"),
                arg("--difference", type=float, help="means: the difference in scale points (with --sd)"),
                arg("--sd", type=float, help="means: the SD of the scores (of the differences when paired)"),
                arg("--p1", type=float, help="proportions: the share before"),
                arg("--p2", type=float, help="proportions: the share after"),
                arg("--discordant", type=float,
                    help="paired proportions: the share of respondents whose answer changes (McNemar)"),
                arg("--n", type=float, help="per group (independent) or pairs (paired)"),
                arg("--power", type=float, help="default 0.8 when solving for n or the effect"),
                arg("--alpha", type=float, default=0.05),
                arg("--ratio", type=float, default=1.0, help="independent: second group size / first (default 1)"),
                arg("--alternative", default="two-sided", choices=["two-sided", "larger", "smaller"]))),
]

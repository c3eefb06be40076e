"""`sammen plan power ...`: sample size, power or minimal detectable change for a planned
comparison (service/analysis/power.py), as JSON. Needs no database. The parser costs
nothing to build; statsmodels is imported only when the command runs.

    sammen plan power --outcome mean --effect 0.3                       # n per group for power 0.8
    sammen plan power --outcome mean --design paired --n 120            # the minimal detectable d_z
    sammen plan power --outcome proportion --p1 0.56 --p2 0.69 --n 150  # the power
    sammen plan power --outcome proportion --design paired --p1 0.56 --p2 0.66 --discordant 0.3"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(plan_commands: Any) -> None:
    """`power` under `sammen plan` (`plan_commands`: its subparsers)."""
    p = plan_commands.add_parser(
        "power", help="sample size, power or minimal detectable change of a comparison (give two, get the third)")
    p.add_argument("--outcome", required=True, choices=["mean", "proportion"])
    p.add_argument("--design", default="independent", choices=["independent", "paired"],
                   help="independent waves (default) or the same respondents before and after")
    p.add_argument("--effect", type=float, help="means: Cohen's d (d_z when paired)")
    p.add_argument("--difference", type=float, help="means: the difference in scale points (with --sd)")
    p.add_argument("--sd", type=float, help="means: the SD of the scores (of the differences when paired)")
    p.add_argument("--p1", type=float, help="proportions: the share before")
    p.add_argument("--p2", type=float, help="proportions: the share after")
    p.add_argument("--discordant", type=float,
                   help="paired proportions: the share of respondents whose answer changes (McNemar)")
    p.add_argument("--n", type=float, help="per group (independent) or pairs (paired)")
    p.add_argument("--power", type=float, help="default 0.8 when solving for n or the effect")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--ratio", type=float, default=1.0, help="independent: second group size / first (default 1)")
    p.add_argument("--alternative", default="two-sided", choices=["two-sided", "larger", "smaller"])


def run(args: argparse.Namespace) -> str:
    from service.analysis.power import power_means, power_proportions
    from service.analysis.results import to_json

    if args.outcome == "mean":
        found = power_means(design=args.design, effect=args.effect, difference=args.difference, sd=args.sd, n=args.n,
                            power=args.power, alpha=args.alpha, ratio=args.ratio, alternative=args.alternative)
    else:
        if args.p1 is None:
            raise ValueError("--p1: give the share before")
        found = power_proportions(design=args.design, p1=args.p1, p2=args.p2, n=args.n, power=args.power,
                                  alpha=args.alpha, ratio=args.ratio, alternative=args.alternative,
                                  discordant=args.discordant)
    return to_json(found)

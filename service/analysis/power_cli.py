"""`sammen plan power ...`: sample size, power or minimal detectable change for a planned
comparison (service/analysis/stats/power.py), as JSON. Needs no database. (Its parser:
service/analyse_commands.py.)

    sammen plan power --outcome mean --effect 0.3                       # n per group for power 0.8
    sammen plan power --outcome mean --design paired --n 120            # the minimal detectable d_z
    sammen plan power --outcome proportion --p1 0.56 --p2 0.69 --n 150  # the power
    sammen plan power --outcome proportion --design paired --p1 0.56 --p2 0.66 --discordant 0.3"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> str:
    from service.analysis.measures.summary.results import to_json
    from service.analysis.stats.power import power_means, power_proportions

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

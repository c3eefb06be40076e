"""The figures of a run as ratios against the same-run baseline, each beside its target,
and the tables printed at the end."""

from __future__ import annotations

from typing import Any

from benchmarks.plan import NOISY, Plan
from tests.support.budgets import PAGE_WEIGHT_BUDGET

TARGETS = {
    "json_vs_pgbench": 0.5,  # service JSON submissions/s / pgbench TPS, same concurrency: at least
    "form_vs_json": 0.8,  # form POST submissions/s / JSON POST submissions/s: at least
    "p99_half_ms": 50.0,  # p99 latency at half of saturation throughput: at most
    "page_bytes": PAGE_WEIGHT_BUDGET,  # a form page, gzip, headers included: at most
}

Row = tuple[str, str, str, str]  # figure, measured, target, PASS/FAIL


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(res: dict[str, Any], plan: Plan) -> list[Row]:
    first = min(res["pgbench"], key=lambda r: abs(r["clients"] - plan.connections))
    same = (first["tps"] + res["pgbench_again"]["tps"]) / 2  # before and after the service runs
    peak = max(res["pgbench"], key=lambda r: r["tps"])
    rows = []
    for svc in res["service"]:
        w = svc["workers"]
        tag = "sammen serve" if w == 1 else f"sammen serve, {w} workers"
        api, form = svc["api"], svc["form"]
        r = api["saturation"]["per_s"] / same
        rows.append((f"JSON TPS / pgbench TPS at {plan.connections} clients (mean of 2) [{tag}]",
                     f"{r:.2f}x  ({api['saturation']['per_s']:.0f} / {same:.0f})", f">= {TARGETS['json_vs_pgbench']}x",
                     verdict(r >= TARGETS["json_vs_pgbench"])))
        rows.append((f"JSON TPS / pgbench peak TPS [{tag}] (info)",
                     f"{api['saturation']['per_s'] / peak['tps']:.2f}x  (peak {peak['tps']:.0f} at"
                     f" {peak['clients']} clients)", "", ""))
        r = form["saturation"]["per_s"] / api["saturation"]["per_s"]
        rows.append((f"form POST / JSON POST submissions/s [{tag}]",
                     f"{r:.2f}x  ({form['saturation']['per_s']:.0f} / {api['saturation']['per_s']:.0f})",
                     f">= {TARGETS['form_vs_json']}x", verdict(r >= TARGETS["form_vs_json"])))
        for kind in ("api", "form"):
            h = svc[kind]["half"]
            rows.append((f"p99 at half saturation, {'JSON' if kind == 'api' else 'form'} [{tag}]",
                         f"{h['p99_ms']:.1f} ms  (p50 {h['p50_ms']:.1f} ms at {h['per_s']:.0f}/s)",
                         f"<= {TARGETS['p99_half_ms']:.0f} ms", verdict(h["p99_ms"] <= TARGETS["p99_half_ms"])))
    pw = res["page_weight"]["heaviest"]
    first_page = res["page_weight"]["first"]
    rows.append(("form page, gzip, headers+body (heaviest page)",
                 f"{pw['wire_bytes']} B  ({pw['page']}; page 1: {first_page['wire_bytes']} B;"
                 f" html {pw['html_bytes']} B)",
                 f"<= {TARGETS['page_bytes']} B", verdict(pw["wire_bytes"] <= TARGETS["page_bytes"] and pw["gzip"])))
    v = res["verify"]
    rows.append(("acknowledged == stored (JSON, form, pgbench)",
                 ", ".join(f"{v[k]['acknowledged']}/{v[k]['stored']}" for k in ("api", "form", "pgbench")),
                 "equal", verdict(all(v[k]["ok"] for k in ("api", "form", "pgbench")))))
    return rows


def _cpu(c: dict[str, float], per_s: float, parts: tuple[str, ...], cost: tuple[str, ...]) -> str:
    """Cores used per component, and the CPU milliseconds one submission cost `cost` together."""
    ms = sum(c.get(p, 0.0) for p in cost) * 1000 / per_s if per_s else float("nan")
    mark = " !" if c.get("other", 0.0) > NOISY else ""
    return " / ".join(f"{c.get(p, 0.0):.2f}" for p in parts) + f"  {ms:6.2f}{mark}"


def print_tables(res: dict[str, Any], plan: Plan, rows: list[Row]) -> None:
    print()
    print(f"pgbench baseline: {res['baseline_sql']} as one statement (invitation by token hash + response"
          f" + {res['answer_rows']} answers + draft delete), -M prepared, {plan.pgbench_seconds} s per level")
    print(f"  {'clients':>7}  {'TPS':>8}  {'avg latency':>11}  cores: postgres / pgbench / other  cpu ms/tx")
    for r in res["pgbench"] + [res["pgbench_again"]]:
        print(f"  {r['clients']:>7}  {r['tps']:>8.0f}  {r['latency_ms']:>8.2f} ms  "
              f"       {_cpu(r['cpu_cores'], r['tps'], ('postgres', 'client', 'other'), ('postgres',))}"
              + ("  (again, after the service runs)" if r is res["pgbench_again"] else ""))
    print()
    print("service runs (closed loop at saturation; fixed rate at half; latency counted from the due time)")
    print(f"  {'workers':>7}  {'endpoint':8}  {'run':10}  {'shape':>11}  {'subm/s':>6}  {'p50 ms':>6}  {'p99 ms':>6}"
          f"  cores: server / postgres / client / other  cpu ms/subm")
    for svc in res["service"]:
        for kind in ("api", "form"):
            for run in ("saturation", "half"):
                s = svc[kind][run]
                parts = ("server", "postgres", "client", "other")
                cpu = _cpu(s["cpu_cores"], s["per_s"], parts, ("server", "postgres"))
                print(f"  {svc['workers']:>7}  {'JSON' if kind == 'api' else 'form':8}  {run:10}  {s['shape']:>11}"
                      f"  {s['per_s']:>6.0f}  {s['p50_ms']:>6.1f}  {s['p99_ms']:>6.1f}         {cpu}"
                      + ("  (ran out of invitations)" if s["exhausted"] else ""))
    print("  (cpu ms: server + postgres CPU per submission, pgbench: postgres per transaction;"
          f" ! = other processes used over {NOISY} cores meanwhile, figures disturbed)")
    print()
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    print(f"{'figure':{w1}}  {'measured':{w2}}  {'target':10}  result")
    for name, value, target, result in rows:
        print(f"{name:{w1}}  {value:{w2}}  {target:10}  {result}")
    print()

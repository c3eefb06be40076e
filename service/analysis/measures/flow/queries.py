"""The SQL of the citizen-flow analysis (service/analysis/measures/flow/compute.py). PostgreSQL sums the
units' months into arm and evaluation totals and divides the rates from those sums; the
statistics then work on at most a few hundred monthly figures per series."""

from __future__ import annotations

# The evaluation's implementation date, and per arm the earliest date its units implement
# on (a unit's own date, else the evaluation's). No row: no such evaluation.
IMPLEMENTATION = """
select e.implementation_date as evaluation_date, eu.arm,
       min(coalesce(eu.implementation_date, e.implementation_date)) as implemented
  from evaluation e
  left join evaluation_unit eu on eu.evaluation_id = e.id
 where e.id = $1
 group by e.implementation_date, eu.arm
"""

# Enrolled, started and ended per month: per unit, per arm and for all units of the
# evaluation ($1), with ended per enrolled from the sums. `units`: units with a row that
# month; `unit` is the unit's name on a unit's row only (an arm or total row names none).
MONTHLY = """
with flows as (
    select f.month, f.unit_id, u.name as unit, eu.arm, f.enrolled, f.started, f.ended
      from flow_month f
      join evaluation_unit eu on eu.unit_id = f.unit_id and eu.evaluation_id = $1
      join unit u on u.id = f.unit_id
)
select case when grouping(unit_id) = 0 then 'unit' when grouping(arm) = 0 then 'arm' else 'total' end as level,
       month, unit_id, case when grouping(unit_id) = 0 then min(unit) end as unit, arm, count(*)::int as units,
       sum(enrolled)::bigint as enrolled, sum(started)::bigint as started, sum(ended)::bigint as ended,
       sum(ended)::float8 / nullif(sum(enrolled), 0) as ended_rate
  from flows
 group by grouping sets ((month, arm, unit_id), (month, arm), (month))
 order by 1 desc, arm nulls last, unit_id nulls last, month
"""

# The Thisted board: per unit-month where the case system counts places or a waiting
# list, enrolled against capacity, waiting, utilisation and demand (enrolled + waiting)
# per place. Null capacity or waiting stays null (not known), and so do the shares.
CAPACITY = """
select f.unit_id, u.name as unit, eu.arm, f.month, f.enrolled, f.capacity, f.waiting,
       f.enrolled::float8 / nullif(f.capacity, 0) as utilisation,
       (f.enrolled + f.waiting)::float8 / nullif(f.capacity, 0) as demand
  from flow_month f
  join evaluation_unit eu on eu.unit_id = f.unit_id and eu.evaluation_id = $1
  join unit u on u.id = f.unit_id
 where f.capacity is not null or f.waiting is not null
 order by u.name, f.unit_id, f.month
"""

"""The SQL of the side-by-side view (service/analysis/measures/side_by_side/compute.py) beyond what the
coordination, meeting, survey and flow queries already give: the evaluation's units."""

from __future__ import annotations

# The units of an evaluation ($1) with their sector and arm.
UNITS = """
select u.id as unit_id, u.name as unit, u.sector, eu.arm
  from evaluation_unit eu join unit u on u.id = eu.unit_id
 where eu.evaluation_id = $1
 order by u.id
"""

# Each unit's own implementation date, where it has one (else the evaluation's applies).
UNIT_DATES = """
select eu.unit_id, coalesce(eu.implementation_date, e.implementation_date) as implemented
  from evaluation_unit eu join evaluation e on e.id = eu.evaluation_id
 where eu.evaluation_id = $1
"""

EXISTS = "select exists (select 1 from evaluation where id = $1)"

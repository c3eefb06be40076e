"""An evaluation's design as every area reads it: the plan, the units, arms and waves,
the response rates. Below the admin area, the analysis and the evaluators' doors, so
that each of them reads the design without importing another."""

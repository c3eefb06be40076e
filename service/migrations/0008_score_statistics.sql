-- How many groups the summary's frequency tables have, told to the planner. The
-- summary counts response_theme_score per (wave, unit, version, theme, answered, sum)
-- and theme_pair per its pair of waves, versions, unit, theme and both scores. Those
-- columns are strongly dependent (a version belongs to a wave, a theme's sums to its
-- item count), so PostgreSQL's estimate, which multiplies each column's distinct
-- values, comes out a hundred times too high (10^6 responses: 564 000 groups expected,
-- 5 600 found). Expecting that many, it sorts 5 million rows on disk instead of
-- hashing them in under a megabyte: 4.3 s instead of 1.5 s, and the plan flips between
-- the two as other evaluations' waves come and go. Multivariate n-distinct statistics,
-- gathered by ANALYZE (and autovacuum's), give the real count.

create statistics if not exists response_theme_score_groups (ndistinct)
    on wave_id, unit_id, questionnaire_version_id, theme, answered, value_sum from response_theme_score;

create statistics if not exists theme_pair_groups (ndistinct)
    on version_before, version_after, unit_after, theme, answered_before, sum_before, answered_after, sum_after
    from theme_pair;

analyze response_theme_score, theme_pair;

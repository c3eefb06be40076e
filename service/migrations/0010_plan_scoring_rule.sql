-- The evaluation plan's scoring rule: the share of a theme's scale items a response
-- must answer for its theme score to count (service/admin/plan.py scoring_rule). One
-- value per evaluation, so that no two results count different respondents in the same
-- group (the difference could give away a group the disclosure control hides).
alter table evaluation add column min_share double precision not null default 0.5
    check (min_share > 0 and min_share <= 1);

-- Goal questions (questionnaires/README.md, "goal"; Goal Attainment Scaling): each goal
-- a citizen sets or rates is an answer whose dimension names the goal, 'g2' for its
-- level (−2…+2) and 'g2_text' for the goal in the citizen's words, with no rated role.
-- The codebook's entries say which is which (item_type 'goal_baseline', 'goal_text',
-- 'goal_level'), so a follow-up finds the goals set at baseline by the panel key even
-- after the free-text retention has deleted their texts.
alter table answer drop constraint answer_cell_shape;
alter table answer add constraint answer_cell_shape check (
    ((rated_role is null) = (dimension = '')
     or (rated_role is null and (dimension ~ '^s[0-9]+_(best|worst)$' or dimension ~ '^g[0-9]+(_text)?$')))
    and (choice is null or rated_role is null));

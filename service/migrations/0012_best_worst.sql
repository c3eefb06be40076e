-- Best–worst questions (questionnaires/README.md, "best_worst"): a respondent picks the
-- most and the least important theme in each of several sets. Each pick is an answer
-- whose dimension names the set and the pick ('s3_best', 's3_worst') and whose value is
-- the option picked, with no rated role group: a dimension without a rated role is now
-- allowed for those picks only. The codebook keeps which options each set showed, so
-- an evaluator's SQL (and the analysis) can read every choice without the file.
alter table answer drop constraint answer_cell_shape;
alter table answer add constraint answer_cell_shape check (
    ((rated_role is null) = (dimension = '') or (rated_role is null and dimension ~ '^s[0-9]+_(best|worst)$'))
    and (choice is null or rated_role is null));
alter table questionnaire_item add column shown smallint[];

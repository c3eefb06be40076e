-- A best–worst option may name the item bank's theme it stands for (questionnaires/README.md,
-- best_worst): the importance of the themes then says which bank theme each is, and
-- `sammen questionnaire derive --from-importance` takes the most important ones.
alter table questionnaire_value_label add column theme text;

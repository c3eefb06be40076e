-- A staff member who opens a citizen's link with ?assisteret=1 marks the whole response
-- as assisted, also when the citizen resumes it later from the plain link.
alter table draft add column assisted boolean not null default false;

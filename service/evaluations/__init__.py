"""What evaluators read over HTTP with their key: an evaluation's design (and, in the
next steps, its analyses), scoped to their organisation and written to the audit log."""

"""Setting up an evaluation: organisations, units, evaluations, waves, invitations."""

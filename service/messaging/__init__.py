"""Invitations and reminders by e-mail and SMS: pluggable gateways (gateways.py), the run
that sends each message once (sending.py) and its SQL (store.py). The contact data it
sends to is taken and sealed with the invitations (service/admin/contacts.py)."""

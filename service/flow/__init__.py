"""Citizen flow per unit and month: the CSV a case system exports (csvfile), its rows
checked against the organisation's units and stored in one transaction (store), from the
command line and the admin API alike (api)."""

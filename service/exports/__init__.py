"""Charts and tables for reports, made from analysis results."""

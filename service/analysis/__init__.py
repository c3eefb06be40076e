"""Statistics for evaluators, for notebooks and scripts: plain synchronous calls (they
also work inside Jupyter's running event loop), reading PostgreSQL and returning Structs
and pandas DataFrames. Never imports the web layer.

    from service import analysis
    with analysis.connect() as s:              # DATABASE_URL, or the embedded default
        rows = analysis.tidy(s, evaluation_id)
"""

from service.analysis.data import ScoreTable, theme_score_tables, tidy
from service.analysis.session import Session, connect

__all__ = ["ScoreTable", "Session", "connect", "theme_score_tables", "tidy"]

"""Charts of an evaluation's results with plotnine: one function per chart, each taking
analysis results (the Structs service/analysis returns, or the fields of its results
bundle) and returning a ggplot in the shared theme (theme.py): Danish labels by default,
English with lang="en", the Okabe–Ito palette, the questionnaire version and n in the
caption, and a suppressed group written as 'for få svar', never drawn as a bar or number.
A chart's layers are added to its plot as one list (`p9.ggplot(…) + [a, b, c]`): plotnine
copies the whole plot at each `+`, which was a third of the time making a chart took.

    from service import analysis
    from service.exports import charts
    bundle = analysis.results_bundle(evaluation_id)
    charts.save(charts.theme_scores(bundle.summary), "temascorer.png")   # or .svg, .pdf
    charts.save_all(bundle, "figurer", formats=["png", "svg", "pdf"])"""

from service.exports.charts.common import Context, NothingToDraw
from service.exports.charts.coordination import coordination_heatmap, role_coordination
from service.exports.charts.drawing import save_all
from service.exports.charts.flow import flow, soenderborg
from service.exports.charts.goals import goal_attainment
from service.exports.charts.importance import theme_importance
from service.exports.charts.likert import likert
from service.exports.charts.meetings import meetings
from service.exports.charts.rates import response_rates
from service.exports.charts.save import FORMATS, ChartFile, chart_title, charts, context_of, part_of, save, save_each
from service.exports.charts.scores import (
    difference_in_differences,
    joint_agreement,
    share_agreeing,
    theme_scores,
    theme_scores_by_unit,
)
from service.exports.charts.side_by_side import side_by_side
from service.exports.charts.theme import OKABE_ITO, theme_sammen

__all__ = [
    "FORMATS", "OKABE_ITO", "ChartFile", "Context", "NothingToDraw", "chart_title", "charts", "context_of",
    "coordination_heatmap", "difference_in_differences", "flow", "goal_attainment", "joint_agreement", "likert",
    "meetings", "part_of", "response_rates", "role_coordination", "save", "save_all", "save_each", "share_agreeing",
    "side_by_side", "soenderborg", "theme_importance", "theme_sammen", "theme_scores", "theme_scores_by_unit",
]

"""Non-response: who answered through which channel and with help, and whether the
summary's before/after would read differently weighted for the units that answered less."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="nonresponse", function="nonresponse", bundle="nonresponse", parameters=NoParameters,
    runner="service.analysis.measures.nonresponse.run",
    about="responses by channel and help per arm and wave, and every theme's after − before weighted for"
    " non-response beside the unweighted",
    description="Per wave and arm: the responses by channel (web, api, paper), by mode (assisted or not) and by"
    " format (standard or easy-read) with"
    " Wilson intervals of their shares, cells under the threshold hidden and one more where the arm's total would"
    " give them away (response rates per unit: the rates measure). Per questionnaire, theme and arm: the mean theme"
    " score before (phase before) and after (the latest follow-up), unweighted and weighted by the inverse of each"
    " unit's response rate in its wave (invited / answered; weight 1 where a unit has no personal invitations),"
    " the weights normalised to mean 1 within each group; the difference with Welch's t interval, for the weighted"
    " one on the weighted variances (statsmodels weightstats' ttest_ind with usevar='unequal'), with Kish's"
    " effective sample size. A sensitivity analysis: an arm's row is shown only where both periods reach the"
    " theme's threshold; units' weights are not published.",
)

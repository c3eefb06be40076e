"""Coded free text: per free-text item and code, how many answers got it and how far the coders agree."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="coding", function="coding_agreement", bundle="coding", parameters=NoParameters,
    runner="service.analysis.measures.coding.run",
    about="per free-text item and code, the answers coded with it and the coders' agreement (κ, α)",
    description="Per free-text item and code of the evaluation's code list: the answers coded by any coder, those"
    " any coder gave the code, the coders, Cohen's κ of the two coders who coded most (asymptotic interval) and"
    " Krippendorff's α (nominal) of all, over the answers each pair coded. Counts under the item's threshold are"
    " left out, and so are κ and α where fewer answers than the threshold got the code or did not.",
)

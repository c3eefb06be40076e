"""How every export writes a figure for a reader: numbers, percentages, p-values, intervals,
dates and months in Danish (da-DK, the default: decimal comma, a dot between thousands,
'71 %', '4. dec. 2026') or English ('0.71', '71%', 'Dec 4, 2026'), as Babel's copy of
the Unicode CLDR writes them. One module, so a chart's axis, a publication table's cell
and a sentence of the report write the same figure alike; texts are in texts.py.

Rounding: a figure is rounded half to even at its exact binary value (Babel gets
`Decimal(x)`, not the shorter `str(x)`), as Python's own `format()` rounds, so a mean
or an interval reads as it did before Babel. A share is multiplied by 100 exactly,
where the exports used to multiply the float first: that product can land on a tie the
share itself is not at (0.7125 × 100 is 71.25 as a float; the share's binary value is a
little above, so it is 71,3 %, not 71,2 %).

Files for machines are not written here: CSV and Excel cells keep figures as numbers
(Excel formats them in the reader's own locale), data files keep codes."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from babel import Locale, dates, numbers

from service.exports.texts import Language, text

LOCALES: dict[str, str] = {"da": "da_DK", "en": "en"}


def _locale(lang: Language) -> str:
    return LOCALES["en" if lang == "en" else "da"]


def _exact(x: float) -> Decimal:
    return Decimal(x) if isinstance(x, float) else Decimal(int(x))


def _absent(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def number(x: float | None, digits: int = 1, lang: Language = "da") -> str:
    """`x` with `digits` decimals and the locale's separators ('1.234,5'); '' for none."""
    if x is None or _absent(x):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(numbers.format_decimal(_exact(x), format=pattern, locale=_locale(lang)))


def as_given(x: float, lang: Language = "da") -> str:
    """A setting as it was given, with the decimals it has and no more (ρ = 0,3; 0,25)."""
    return number(x, len(f"{x:g}".partition(".")[2]), lang)


def percent(share: float | None, digits: int = 0, lang: Language = "da") -> str:
    """A share (0.71) as a percentage with `digits` decimals: '71 %' or '71%'; '' for none.
    CLDR puts a no-break space before the Danish '%'; it is written as a plain space here,
    as in the catalogue's own texts ('95 %-interval'), so a figure and a text read, copy
    and search alike."""
    if share is None or _absent(share):
        return ""
    base = Locale.parse(_locale(lang)).percent_formats[None].pattern  # '#,##0\xa0%' / '#,##0%'
    pattern = base.replace("0", "0." + "0" * digits, 1) if digits > 0 else base
    written = str(numbers.format_percent(_exact(share), format=pattern, locale=_locale(lang)))
    return written.replace("\xa0", " ")


def points(share: float | None, digits: int = 2, lang: Language = "da") -> str:
    """A difference of shares in percentage points (0.031 -> '3,10'); '' for none."""
    return "" if share is None or _absent(share) else number(float(_exact(share) * 100), digits, lang)


def p_value(p: float | None, lang: Language = "da") -> str:
    """A p-value with three decimals, and '< 0,001' below that."""
    if p is None or _absent(p):
        return ""
    return f"< {number(0.001, 3, lang)}" if p < 0.001 else number(p, 3, lang)


def interval(low: float | None, high: float | None, digits: int = 2, lang: Language = "da", *,
             as_percent: bool = False, as_points: bool = False) -> str:
    """'0,12 til 0,34' ('0.12 to 0.34'); of shares as percentages ('12,0 % til 34,0 %') or
    as percentage points ('12,0 til 34,0'); '' where either end is missing."""
    if low is None or high is None or _absent(low) or _absent(high):
        return ""
    if as_percent:
        return text("interval", lang, low=percent(low, digits, lang), high=percent(high, digits, lang))
    if as_points:
        return text("interval", lang, low=points(low, digits, lang), high=points(high, digits, lang))
    return text("interval", lang, low=number(low, digits, lang), high=number(high, digits, lang))


def date(d: dt.date | None, lang: Language = "da") -> str:
    """A day as the locale writes it in a text ('4. dec. 2026', 'Dec 4, 2026'); '' for none."""
    return str(dates.format_date(d, "medium", locale=_locale(lang))) if d else ""


def month(d: dt.date | None, lang: Language = "da", *, short: bool = False) -> str:
    """A month and year ('december 2026'; short: 'dec. 2026'); '' for none."""
    return str(dates.format_skeleton("yMMM" if short else "yMMMM", d, locale=_locale(lang))) if d else ""


# --- a chart's axis: plotnine calls these with the breaks ------------------------------------------
Breaks = Sequence[float] | Sequence[str]


def axis_numbers(lang: Language, digits: int = 1) -> Callable[[Breaks], Sequence[str]]:
    return lambda values: [number(float(v), digits, lang) for v in values]


def axis_percent(lang: Language) -> Callable[[Breaks], Sequence[str]]:
    """Shares on an axis as whole percentages ('50 %')."""
    return lambda values: [percent(float(v), 0, lang) for v in values]

"""One plain sentence per statistic, shown next to it on the adverse-event page.

Presentation layer, pure. The fixed sentences say what a view shows and how to read it; the
functions add the numbers of the current selection (phi, sigma_z, the run-rule limits) so
that a medical director can tell at a glance why something is, or is not, flagged.
"""

from __future__ import annotations

from typing import Final

from data_access.statistics import OverdispersionTest
from data_access.surveillance import ChartMethod, ControlChart
from data_access.surveillance_signals import MIN_EXPECTED_EVENTS, is_informative

SIGNALS: Final = (
    "Everything in this selection that deserves a medical director's look, newest first: "
    "clinics or procedure types whose rate chance cannot explain, unusual periods on the "
    "control charts, and every serious event. Each links to the view that shows it."
)
FUNNEL: Final = (
    "Each dot is a clinic; the funnel shows how far a clinic's rate can stray from the rate "
    "of all selected clinics by chance alone at its volume. Dots above the outer line (99.8%) "
    "are very unlikely to be chance; dots between the lines (95% to 99.8%) are worth watching."
)
INTERVALS: Final = (
    "Each whisker is a 95% confidence interval (exact Garwood interval for rates per 1,000, "
    "Wilson interval for percentages): the range of true rates consistent with the events "
    "seen, wide when there are few procedures, so a short whisker clear of the dashed line "
    "means a real difference."
)
P_CHART: Final = (
    "The chart follows the rate period by period: the dashed line is the average over the "
    "range and the grey lines are 3-sigma control limits, wider in periods with fewer "
    "procedures; a red diamond beyond them is unlikely to be ordinary variation."
)
EVENTS: Final = (
    "Every adverse event of the selection; sort and filter any column, and click an event to "
    "review it. Serious events not yet reviewed are highlighted."
)


def overdispersion(test: OverdispersionTest, adjusted: bool) -> str:
    """Whether clinics differ by more than chance, and what the funnel does about it."""
    if test.units < 2 or test.phi != test.phi:
        return "Too few clinics with procedures to tell whether they differ more than chance."
    if not test.overdispersed:
        return (
            f"Clinics differ from one another about as much as chance predicts (dispersion "
            f"φ = {test.phi:.2f}, 10% Winsorised; above 1 would mean more), so the limits are "
            "the exact binomial ones (Spiegelhalter's interpolation)."
        )
    if adjusted:
        return (
            f"Clinics differ more than chance alone predicts (φ = {test.phi:.2f}): the limits "
            f"are widened by √φ = {test.phi**0.5:.2f} so that only clinics standing out from "
            "the usual spread between clinics are flagged. Switch off to see the exact binomial "
            "limits."
        )
    return (
        f"Clinics differ more than chance alone predicts (φ = {test.phi:.2f}), so these exact "
        "binomial limits also flag clinics that merely sit at the ends of the usual spread "
        "between clinics; switch on the adjustment to widen the limits by √φ."
    )


def chart_method(chart: ControlChart) -> str:
    """Which chart is drawn and why, in the terms of the current series."""
    phi, sigma_z = chart.overdispersion.phi, chart.sigma_z
    wide = sigma_z == sigma_z and sigma_z > 1.0
    if chart.method is ChartMethod.LANEY:
        if wide:
            return (
                f"Periods vary more than chance alone (Laney's σz = {sigma_z:.2f}), so the "
                "limits are Laney's p′ limits, widened by that period-to-period variation to "
                "avoid false alarms."
            )
        return (
            f"Periods vary less than chance here (σz = {sigma_z:.2f}), so Laney's p′ limits are "
            "narrower than the classical ones; Automatic uses the classical p-chart."
        )
    if chart.overdispersion.overdispersed and wide:
        return (
            f"Periods vary more than chance (φ = {phi:.2f}, σz = {sigma_z:.2f}): these classical "
            "limits are too narrow and may raise false alarms; Automatic uses Laney's p′."
        )
    if chart.overdispersion.overdispersed:
        return (
            f"Periods vary more than chance overall (φ = {phi:.2f}) but not from one period to "
            f"the next (Laney's σz = {sigma_z:.2f}): the extra variation is a drift, so the "
            "classical p-chart applies and the run rules below test the drift."
        )
    extra = f" (φ = {phi:.2f})" if phi == phi else ""
    return f"Periods vary no more than chance predicts{extra}, so the classical p-chart applies."


def run_rules(chart: ControlChart) -> str:
    runs = chart.runs
    if runs.longest_run is None or runs.crossings is None:
        return "Run rules: no period differs from the average, so there is nothing to test."
    verdict = "a sustained shift" if runs.signal else "no sustained shift"
    return (
        f"Run rules catch smaller, lasting shifts: more than {runs.longest_run_max} periods in a "
        f"row on one side of the average, or fewer than {runs.crossings_min} crossings of it, "
        f"is unlikely by chance (Anhøj rules). Here: longest run {runs.longest_run}, "
        f"{runs.crossings} crossings: {verdict}."
    )


def sparse_chart(chart: ControlChart) -> str | None:
    """A caution for a chart with too few events per period to alert on, else None."""
    if is_informative(chart) or chart.table.empty:
        return None
    expected = float(chart.table["procedures"].median()) * chart.centre
    return (
        f"Only about {expected:.1f} events are expected in a typical period here, fewer than "
        f"the {MIN_EXPECTED_EVENTS:.0f} the limits and run rules need to be reliable: this "
        "chart raises no signals; judge this clinic by the funnel plot instead."
    )

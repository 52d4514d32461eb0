"""The indicators compared with other councils, from the DfE children in need tables.

They are the nationally collected ones of the indicator list the county was consulted on
(Munro 2011, Recommendation 4 and its Appendix): referrals and re-referrals, referrals by
source, factors identified at the end of assessment per 10,000, child protection plans per
10,000, second or subsequent plans, and plans lasting two years or more. Each is computed
from DfE's published counts (a numerator and a denominator), so that it carries a
confidence interval, and beside DfE's own published figure where there is one.

Rates per 10,000 children use the ONS mid-year estimate of children aged 0-17 issued with
the release, the estimate of mid-year Y for the year ending 31 March Y+1, as DfE's own
children's social care dashboard does.
"""

from __future__ import annotations

__all__ = ["INDICATORS", "Indicator", "terms"]

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One indicator: where its counts are and what kind of figure it is.

    ``numerator`` is a measure of ``table`` or a sum and difference of measures
    (``"referral_count-police"``); ``denominator`` is a measure of the same table or
    ``"population"`` (children aged 0-17). ``statistic`` is ``percent`` (Wilson
    interval) or ``rate`` (per ``per`` children, Byar/exact Poisson interval).
    """

    key: str
    label: str
    table: str
    numerator: str
    denominator: str
    statistic: str
    published: str = ""  # DfE's own figure, where published, to check against
    note: str = ""

    @property
    def per(self) -> float:
        return 100.0 if self.statistic == "percent" else 10_000.0

    @property
    def unit(self) -> str:
        return "%" if self.statistic == "percent" else "per 10,000 children"


_OTHER_SOURCES = "referral_count-police-health_services-schools-la_services"

INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator(
            "referrals_rate",
            "Referrals to children's social care",
            "c1",
            "referral_count",
            "population",
            "rate",
            published="referrals_rate",
        ),
        Indicator(
            "rereferrals",
            "Re-referrals within 12 months of a previous referral",
            "c1",
            "rereferral_count",
            "referral_count",
            "percent",
            published="rereferral_percent",
        ),
        Indicator(
            "source_police",
            "Referrals from the police",
            "c5",
            "police",
            "referral_count",
            "percent",
        ),
        Indicator(
            "source_health",
            "Referrals from health services",
            "c5",
            "health_services",
            "referral_count",
            "percent",
        ),
        Indicator(
            "source_schools",
            "Referrals from schools",
            "c5",
            "schools",
            "referral_count",
            "percent",
        ),
        Indicator(
            "source_la",
            "Referrals from local authority services",
            "c5",
            "la_services",
            "referral_count",
            "percent",
        ),
        Indicator(
            "source_other",
            "Referrals from other sources (individuals, other agencies, anonymous...)",
            "c5",
            _OTHER_SOURCES,
            "referral_count",
            "percent",
        ),
        Indicator(
            "factor_mental_health",
            "Assessments with parental mental health as a factor",
            "c3",
            "mental_health_parent",
            "population",
            "rate",
            note="DfE counts factors at the end of assessment, not at referral",
        ),
        Indicator(
            "factor_alcohol",
            "Assessments with parental alcohol misuse as a factor",
            "c3",
            "alcohol_misuse_parent",
            "population",
            "rate",
        ),
        Indicator(
            "factor_drugs",
            "Assessments with parental drug misuse as a factor",
            "c3",
            "drug_misuse_parent",
            "population",
            "rate",
        ),
        Indicator(
            "factor_domestic_abuse",
            "Assessments with domestic abuse (parent or carer) as a factor",
            "c3",
            "domestic_abuse_parent",
            "population",
            "rate",
        ),
        Indicator(
            "cpp_rate",
            "Children on child protection plans at 31 March",
            "d5",
            "cpp_at31",
            "population",
            "rate",
        ),
        Indicator(
            "cpp_subsequent",
            "Plans starting that are a second or subsequent plan",
            "d3",
            "cpp_subsequent",
            "cpp_start",
            "percent",
            published="cpp_subsequent_percent",
            note="DfE counts any earlier plan; a second plan within two years needs local data",
        ),
        Indicator(
            "cpp_two_years",
            "Plans open at 31 March that have lasted two years or more",
            "d5",
            "2_years_or_more",
            "cpp_at31",
            "percent",
            published="2_years_or_more_percent",
        ),
    )
}

_TERM = re.compile(r"([+-]?)([^+-]+)")


def terms(expression: str) -> list[tuple[int, str]]:
    """The measures of a numerator with their signs: ``"a-b+c"`` -> [(1, a), (-1, b), (1, c)]."""
    return [(-1 if sign == "-" else 1, name.strip()) for sign, name in _TERM.findall(expression)]

"""The typed configuration schema: every parameter, its default, unit, range and source.

Each numeric field is declared with :func:`param`, which records the allowed range, the unit
and where the default comes from (an EVIDENCE.md source tag, ``assumption`` or
``calibrated``). Validation (:mod:`hfsim.config.validate`) and the ODD parameter tables read
this metadata, so the numbers, their limits and their sources live in one place.

Source tags follow ``EVIDENCE.md``: [C] confirmed, [S] secondary, [D] derived.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


def param(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    source: str = "assumption",
    choices: tuple[str, ...] | None = None,
    doc: str = "",
) -> Any:
    """Declare a config field with its range, unit and source.

    Args:
        default: The default value.
        lo: Smallest allowed value (inclusive), or None; for a list, of every element.
        hi: Largest allowed value (inclusive), or None; for a list, of every element.
        unit: Unit of the value, e.g. ``DKK/night``.
        source: Where the default comes from (EVIDENCE.md tag, ``assumption``, ``calibrated``).
        choices: Allowed string values, for categorical fields.
        doc: One line saying what the parameter means.
    """
    meta = {"lo": lo, "hi": hi, "unit": unit, "source": source, "choices": choices, "doc": doc}
    if isinstance(default, list | dict):  # each config gets its own copy
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


# ---------------------------------------------------------------------------------------
# Citizens: who becomes homeless, and how they move between street, sofa and shelter
# ---------------------------------------------------------------------------------------
@dataclass
class CitizensConfig:
    inflow_per_year: float = param(
        560.0,
        lo=0,
        hi=100000,
        unit="persons/year",
        source="calibrated",
        doc="new homelessness spells per year (evictions, institutions, family breakdown)",
    )
    initial_homeless: int = param(
        509,
        lo=0,
        hi=100000,
        unit="persons",
        source="[D] Aarhus 8.8 % of 5,789 (VIVE count 2022)",
        doc="homeless citizens at the start of the warm-up",
    )
    needs_share_low: float = param(0.35, lo=0, hi=1, unit="share", doc="low support needs")
    needs_share_moderate: float = param(0.40, lo=0, hi=1, unit="share", doc="moderate needs")
    needs_share_high: float = param(
        0.25,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; mental illness 42 %, drugs 35 % of the homeless [C, VIVE 2022]",
        doc="high (complex) needs",
    )
    pattern_share_transitional: float = param(
        0.80,
        lo=0,
        hi=1,
        unit="share",
        source="[C] Kuhn & Culhane 1998; DK clusters [U]",
        doc="transitional shelter-use pattern among new spells",
    )
    pattern_share_episodic: float = param(
        0.10, lo=0, hi=1, unit="share", source="[C] Kuhn & Culhane 1998", doc="episodic"
    )
    pattern_share_chronic: float = param(
        0.10, lo=0, hi=1, unit="share", source="[C] Kuhn & Culhane 1998", doc="chronic"
    )
    youth_share: float = param(
        0.27,
        lo=0,
        hi=1,
        unit="share",
        source="[C] VIVE 2022: 18-29 year olds 27 %",
        doc="aged 18-29",
    )
    senior_share: float = param(
        0.08,
        lo=0,
        hi=1,
        unit="share",
        source="[D] VIVE 2022: 451 of 5,789 aged 60+",
        doc="aged 60+",
    )
    disability_pension_share: float = param(
        0.25,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; 71 % on cash benefit or disability pension [C, 2012]",
        doc="on disability pension (førtidspension)",
    )
    other_income_share: float = param(
        0.29,
        lo=0,
        hi=1,
        unit="share",
        source="[D] 1 - 0.71 [C, 2012]",
        doc="wage, study grant or other income; the rest are on cash benefit",
    )
    affordable_rent_dkk: float = param(
        3500.0,
        lo=500,
        hi=20000,
        unit="DKK/month",
        source="[C] VIVE via BL",
        doc="rent a citizen on cash benefit (30+) can pay",
    )
    affordable_rent_youth_dkk: float = param(
        3000.0,
        lo=500,
        hi=20000,
        unit="DKK/month",
        source="[S] Ankestyrelsen 3,000-4,000; youth cash benefit 7,945 vs 12,326 [C]",
        doc="rent an under-30 on cash benefit can pay",
    )
    affordable_rent_pension_dkk: float = param(
        4500.0, lo=500, hi=20000, unit="DKK/month", doc="rent a disability pensioner can pay"
    )
    affordable_rent_other_dkk: float = param(
        5000.0, lo=500, hi=20000, unit="DKK/month", doc="rent others can pay"
    )
    temporary_share: float = param(
        0.40,
        lo=0,
        hi=1,
        unit="share",
        source="[D] VIVE counts: 1,112 of 2,805 outside shelters in 2022 (0.40), 1,318 of 3,294 "
        "in 2024 (0.40) were in neither a shelter, the street nor a sofa",
        doc="chance that a homeless citizen outside a shelter is in temporary accommodation "
        "(hotel, hostel, institution or crisis centre without a dwelling: the count's residual)",
    )
    sofa_share: float = param(
        0.72,
        lo=0,
        hi=1,
        unit="share",
        source="[D] VIVE 2022 and 2024 pooled: sofa 1,158 + 1,497 vs rough 535 + 479",
        doc="chance that a homeless citizen on the street or a sofa sofa-surfs rather than "
        "sleeps rough",
    )
    seek_shelter_weeks_transitional: float = param(
        6.0,
        lo=0.1,
        hi=520,
        unit="weeks",
        source="calibrated",
        doc="mean time outside a shelter before seeking a bed, transitional pattern",
    )
    seek_shelter_weeks_episodic: float = param(
        8.0, lo=0.1, hi=520, unit="weeks", source="calibrated", doc="same, episodic"
    )
    seek_shelter_weeks_chronic: float = param(
        3.0, lo=0.1, hi=520, unit="weeks", source="calibrated", doc="same, chronic"
    )
    stay_mean_days_transitional: float = param(
        35.0,
        lo=1,
        hi=3650,
        unit="days",
        source="calibrated to stay mean 47-55 nights [C]",
        doc="mean length of one shelter stay, transitional pattern",
    )
    stay_mean_days_episodic: float = param(
        20.0, lo=1, hi=3650, unit="days", source="calibrated", doc="same, episodic"
    )
    stay_mean_days_chronic: float = param(
        200.0, lo=1, hi=3650, unit="days", source="calibrated", doc="same, chronic"
    )
    own_solution_weeks_transitional: float = param(
        40.0,
        lo=1,
        hi=5200,
        unit="weeks",
        source="calibrated",
        doc="mean time to an own solution outside the model while homeless, transitional",
    )
    own_solution_weeks_episodic: float = param(
        90.0, lo=1, hi=5200, unit="weeks", source="calibrated", doc="same, episodic"
    )
    own_solution_weeks_chronic: float = param(
        300.0, lo=1, hi=5200, unit="weeks", source="calibrated", doc="same, chronic"
    )
    exit_other_per_year: float = param(
        0.04,
        lo=0,
        hi=1,
        unit="1/year",
        doc="hazard of leaving by death, institution or moving away (homeless or housed)",
    )


# ---------------------------------------------------------------------------------------
# Shelters (§110) and the staircase steps (§107 temporary stays, transitional housing)
# ---------------------------------------------------------------------------------------
@dataclass
class ShelterConfig:
    capacity: int = param(
        200,
        lo=0,
        hi=100000,
        unit="places",
        source="assumption; about 2,300 beds occupied nationally [D], Aarhus 8.8 % share",
        doc="§110 shelter places",
    )
    transitional_capacity: int = param(
        60, lo=0, hi=100000, unit="places", doc="§107 / transitional places used as staircase steps"
    )
    treatment_weeks_low: float = param(
        12.0,
        lo=0.1,
        hi=1040,
        unit="weeks",
        source="assumption [U: no Danish figures]",
        doc="shelter-first: mean time in shelter treatment before the transitional step, low needs",
    )
    treatment_weeks_moderate: float = param(
        26.0, lo=0.1, hi=1040, unit="weeks", source="assumption [U]", doc="same, moderate needs"
    )
    treatment_weeks_high: float = param(
        52.0, lo=0.1, hi=1040, unit="weeks", source="assumption [U]", doc="same, high needs"
    )
    readiness_weeks_low: float = param(
        13.0,
        lo=0.1,
        hi=1040,
        unit="weeks",
        source="assumption [U]",
        doc="shelter-first: mean time in a transitional step until judged housing ready, low",
    )
    readiness_weeks_moderate: float = param(
        26.0, lo=0.1, hi=1040, unit="weeks", source="assumption [U]", doc="same, moderate"
    )
    readiness_weeks_high: float = param(
        52.0, lo=0.1, hi=1040, unit="weeks", source="assumption [U]", doc="same, high"
    )
    relapse_per_year_low: float = param(
        0.3,
        lo=0,
        hi=52,
        unit="1/year",
        source="assumption [U]",
        doc="shelter-first: hazard of relapse or drop-out from a transitional step, low needs",
    )
    relapse_per_year_moderate: float = param(
        0.6, lo=0, hi=52, unit="1/year", source="assumption [U]", doc="same, moderate"
    )
    relapse_per_year_high: float = param(
        1.2, lo=0, hi=52, unit="1/year", source="assumption [U]", doc="same, high"
    )
    open_to: str = param(
        "country",
        choices=("country", "region"),
        doc="where a citizen may take a free bed when home has none: the whole country, as "
        "SEL §110 says (home municipality pays), or the region only (an assumption of "
        "earlier versions)",
    )


# ---------------------------------------------------------------------------------------
# Housing: social housing, the cheap-housing programme, private landlords, neighbourhoods
# ---------------------------------------------------------------------------------------
@dataclass
class HousingConfig:
    social_units: int = param(
        40000,
        lo=0,
        hi=2000000,
        unit="dwellings",
        source="assumption; about 500,000 social dwellings nationally [C]",
        doc="social (almene) family dwellings in the municipality",
    )
    turnover_per_year: float = param(
        0.10, lo=0, hi=1, unit="1/year", doc="share of social dwellings that fall vacant a year"
    )
    anvisning_share: float = param(
        0.25,
        lo=0,
        hi=1,
        unit="share",
        source="[C] almenboligloven: every 4th vacancy",
        doc="share of social vacancies the municipality may claim (anvisningsret)",
    )
    homeless_share_of_nominations: float = param(
        0.40,
        lo=0,
        hi=1,
        unit="share",
        source="[S] Ankestyrelsen 2021: 1/3 to 1/2",
        doc="share of municipal nominations that go to homeless citizens",
    )
    small_unit_share: float = param(
        0.30, lo=0, hi=1, unit="share", doc="share of vacancies that are small (< 50 m²)"
    )
    rent_small_dkk: float = param(
        3000.0,
        lo=0,
        hi=50000,
        unit="DKK/month",
        source="[C] average social rent < 50 m², ~2021",
        doc="median rent of a small social dwelling",
    )
    rent_large_dkk: float = param(
        5500.0,
        lo=0,
        hi=50000,
        unit="DKK/month",
        source="[C] 3,000 (< 50 m²) to 6,200 (> 85 m²), ~2021; midpoint of larger sizes",
        doc="median rent of other social dwellings",
    )
    rent_spread: float = param(
        0.20, lo=0, hi=2, unit="log-sd", doc="spread of rents around the median (lognormal sd)"
    )
    rent_factor: float = param(
        1.0,
        lo=0.1,
        hi=10,
        unit="factor",
        doc="multiplies every rent (a lever for rent levels; 1 = today's rents)",
    )
    neighbourhoods: int = param(
        12, lo=1, hi=500, unit="count", doc="neighbourhoods in the municipality"
    )
    vulnerable_neighbourhood_share: float = param(
        0.25,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; cheap units often in vulnerable areas [C, BL]",
        doc="share of neighbourhoods that are vulnerable areas",
    )
    vulnerable_area_vacancy_share: float = param(
        0.45,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; cheap units often in vulnerable areas [C, BL]",
        doc="share of small (cheap) vacancies that lie in vulnerable areas",
    )
    flex_letting_share: float = param(
        0.50,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; [C, CFBU 2024]",
        doc="share of vulnerable-area vacancies under flexible letting that excludes benefit recipients",
    )
    background_vulnerable_share: float = param(
        0.03, lo=0, hi=1, unit="share", doc="vulnerable tenants per dwelling, ordinary areas"
    )
    background_vulnerable_share_vulnerable_area: float = param(
        0.10, lo=0, hi=1, unit="share", doc="vulnerable tenants per dwelling, vulnerable areas"
    )
    hold_weeks: int = param(
        4,
        lo=1,
        hi=52,
        unit="weeks",
        doc="weeks the municipality may hold an offered unit vacant (paying rent) before it lapses",
    )
    cheap_units: int = param(
        350,
        lo=0,
        hi=1000000,
        unit="dwellings",
        source="[D] 4,050 nationally (Fonden for blandede byer 2021) × Aarhus share 8.8 %",
        doc="dwellings added or re-priced by the cheap-housing programme",
    )
    cheap_new_share: float = param(
        0.556,
        lo=0,
        hi=1,
        unit="share",
        source="[D] 2,250 new of 4,050 [C]",
        doc="share of programme dwellings that are new builds (the rest re-priced existing)",
    )
    cheap_start_year: float = param(
        0.0, lo=0, hi=100, unit="years after warm-up", doc="when the programme starts delivering"
    )
    cheap_years: float = param(
        5.0, lo=0.1, hi=50, unit="years", doc="years over which the programme delivers"
    )
    cheap_rent_dkk: float = param(
        3500.0,
        lo=0,
        hi=50000,
        unit="DKK/month",
        source="[C] re-priced to 3,500 DKK/month",
        doc="rent of a programme dwelling",
    )
    cheap_nomination_share: float = param(
        1.0,
        lo=0,
        hi=1,
        unit="share",
        source="[C] full municipal nomination",
        doc="share of programme vacancies offered to the homelessness unit",
    )
    private_landlords: int = param(
        30, lo=0, hi=100000, unit="landlords", doc="private landlords with small affordable units"
    )
    private_units_per_landlord: float = param(
        25.0,
        lo=0,
        hi=10000,
        unit="dwellings",
        source="assumption; private rental is about a fifth of Danish dwellings, of which these "
        "small affordable ones a small part (340 x 25 = 8,500 nationally)",
        doc="affordable units per private landlord",
    )
    private_turnover_per_year: float = param(
        0.15, lo=0, hi=1, unit="1/year", doc="vacancy rate of private units"
    )
    private_rent_dkk: float = param(
        4500.0,
        lo=0,
        hi=50000,
        unit="DKK/month",
        doc="median private rent; §57a move-on subsidy brings the net to about 3,500 [C]",
    )
    private_guarantee: bool = param(
        False,
        doc="the municipality guarantees rent and repairs to private landlords: it pays "
        "costs.guarantee_dkk after a breakdown, and landlords count that share of their loss "
        "as covered",
    )
    private_contact: bool = param(
        True,
        doc="the municipality offers private landlords a named contact: it acts only through a "
        "real support case (the tenant's support worker)",
    )
    willingness_base: float = param(
        -1.35,
        lo=-20,
        hi=20,
        unit="logit",
        source="assumption; few landlords take part (Heimstaden-Odense: 5 dwellings [C]): about "
        "5 % of vacancies offered with neither guarantee nor contact at the prior belief",
        doc="private landlord's log-odds of offering a vacancy before trust and expected loss",
    )
    willingness_loss: float = param(
        0.6,
        lo=0,
        hi=20,
        unit="logit per month of rent",
        source="assumption",
        doc="log-odds lost per month of rent the landlord expects to lose on a municipal tenancy",
    )
    willingness_trust: float = param(
        3.0, lo=-20, hi=20, unit="logit per trust", doc="added log-odds per unit trust above 0.5"
    )
    private_loss_dkk: float = param(
        40000.0,
        lo=0,
        hi=10000000,
        unit="DKK",
        source="assumption; about 3 months' rent in arrears plus repairs and legal costs",
        doc="a private landlord's loss when a tenancy breaks down (arrears, damage, conflict)",
    )
    landlord_prior_risk: float = param(
        0.3,
        lo=0,
        hi=1,
        unit="probability",
        source="assumption",
        doc="a landlord's initial estimate that a municipal tenancy ends in a loss",
    )
    landlord_prior_weight: float = param(
        4.0,
        lo=0.01,
        hi=1000,
        unit="tenancies",
        source="assumption",
        doc="how many tenancies' worth of experience the initial estimate weighs",
    )
    hearsay_weight: float = param(
        0.5,
        lo=0,
        hi=1,
        unit="share",
        source="assumption",
        doc="weight of a contact's experience (tenancy outcome and trust change) against the "
        "landlord's own",
    )
    landlord_contacts: int = param(
        4,
        lo=0,
        hi=1000,
        unit="landlords",
        source="assumption",
        doc="landlords each landlord talks to (small-world graph per municipality; 0 = none)",
    )
    contact_early_warning: float = param(
        0.4,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; the support worker as the landlord's contact sees problems early "
        "[C, Hjem til Alle guide]",
        doc="share of conduct and conflict breakdowns of a private tenancy averted when the "
        "tenant has an active support case and the municipality offers a named contact (the "
        "landlord expects the same cut in its risk)",
    )
    contact_arrears_caught: float = param(
        0.5,
        lo=0,
        hi=1,
        unit="share",
        source="assumption",
        doc="share of arrears breakdowns of such a tenancy caught before eviction",
    )
    trust_initial: float = param(0.5, lo=0, hi=1, unit="0-1", doc="initial trust of landlords")
    trust_gain: float = param(
        0.05,
        lo=0,
        hi=1,
        unit="0-1",
        doc="trust gained for a tenancy stable 12 months or ended well",
    )
    trust_loss: float = param(
        0.15, lo=0, hi=1, unit="0-1", doc="trust lost for a breakdown (arrears, damage, conflict)"
    )
    trust_loss_with_contact: float = param(
        0.5,
        lo=0,
        hi=1,
        unit="factor",
        doc="share of the trust loss left when a support contact mediates",
    )
    guarantee_agreement_share: float = param(
        0.0,
        lo=0,
        hi=1,
        unit="share",
        source="assumption; Odense: agreements with five associations since 2019 [C]",
        doc="with a housing guarantee: share of the associations' vacancies outside the "
        "anvisningsret that the municipality may call on for a citizen nearing the guarantee",
    )
    guarantee_lead_weeks: float = param(
        13.0,
        lo=0,
        hi=520,
        unit="weeks",
        source="assumption; a tenant's notice is 3 months, so an association names a vacancy "
        "about 3 months before it is free",
        doc="with a housing guarantee: how long before the guarantee ends the municipality "
        "calls on an agreed association",
    )
    guarantee_waits_for_support: bool = param(
        False,
        doc="with a housing guarantee: the called offer waits for a support slot when the "
        "policy says so (policy.support_shortage=wait); false: the guarantee is a commitment "
        "to a dwelling and support follows from the team's waiting list",
    )
    block_dwellings: int = param(
        30,
        lo=1,
        hi=100000,
        unit="dwellings",
        source="assumption; a stairwell or block",
        doc="dwellings per block: the scale at which neighbours meet",
    )
    nomination_block_share: float = param(
        0.2,
        lo=0.001,
        hi=1,
        unit="share",
        source="assumption; cheap small dwellings lie in a few blocks [C, BL]",
        doc="share of a neighbourhood's blocks in which the vacancies offered to the "
        "homelessness unit fall",
    )


# ---------------------------------------------------------------------------------------
# Tenancies: breakdown risk and good endings
# ---------------------------------------------------------------------------------------
@dataclass
class TenancyConfig:
    breakdown_per_year_low: float = param(
        0.10,
        lo=0,
        hi=52,
        unit="1/year",
        source="calibrated",
        doc="baseline breakdown hazard without support, low needs, at rent = means",
    )
    breakdown_per_year_moderate: float = param(
        0.25, lo=0, hi=52, unit="1/year", source="calibrated", doc="same, moderate needs"
    )
    breakdown_per_year_high: float = param(
        0.55, lo=0, hi=52, unit="1/year", source="calibrated", doc="same, high needs"
    )
    early_factor_6m: float = param(
        1.8, lo=0, hi=20, unit="factor", doc="hazard multiplier in the first 6 months"
    )
    early_factor_12m: float = param(
        1.2, lo=0, hi=20, unit="factor", doc="hazard multiplier in months 7-12"
    )
    late_factor: float = param(
        0.7, lo=0, hi=20, unit="factor", doc="hazard multiplier after 12 months"
    )
    support_effect: float = param(
        0.70,
        lo=0,
        hi=1,
        unit="share",
        source="calibrated to 90-95 % kept during support [C]",
        doc="hazard reduction by full-intensity, well-fitted support",
    )
    rent_burden_slope: float = param(
        2.0,
        lo=0,
        hi=50,
        unit="per burden",
        doc="hazard grows as exp(slope × (rent/affordable rent - 1)) (arrears)",
    )
    neighbourhood_slope: float = param(
        4.0,
        lo=0,
        hi=100,
        unit="per share",
        doc="conflict hazard grows by slope × vulnerable tenants per dwelling of the block",
    )
    private_factor: float = param(
        1.3, lo=0, hi=20, unit="factor", doc="private landlords end tenancies faster"
    )
    misfit_factor: float = param(
        1.3, lo=0, hi=20, unit="factor", doc="hazard multiplier when the dwelling fits badly"
    )
    moved_on_per_year: float = param(
        0.05, lo=0, hi=52, unit="1/year", doc="hazard of a tenancy ending well (moved on)"
    )


# ---------------------------------------------------------------------------------------
# Support teams (CTI, ICM, ACT)
# ---------------------------------------------------------------------------------------
@dataclass
class MethodConfig:
    staff: int = param(
        4,
        lo=0,
        hi=100000,
        unit="staff",
        doc="case workers (caps the team with support.staffing=fixed)",
    )
    caseload: int = param(10, lo=1, hi=100, unit="clients/staff", doc="clients per worker")
    cost_dkk_per_year: float = param(
        80000.0,
        lo=0,
        hi=2000000,
        unit="DKK/client-year",
        source="[C] 40,000-130,000 per year (SBST); per method [U]",
        doc="cost of one client-year at full intensity",
    )
    taper_after_weeks: float = param(
        78.0, lo=1, hi=5200, unit="weeks", doc="ICM/ACT: after this long, support tapers off"
    )
    taper_weeks: float = param(
        26.0, lo=1, hi=5200, unit="weeks", doc="ICM/ACT: mean time to end once tapering"
    )


def _cti() -> MethodConfig:
    return MethodConfig(staff=4, caseload=12, cost_dkk_per_year=60000.0)


def _icm() -> MethodConfig:
    return MethodConfig(staff=4, caseload=10, cost_dkk_per_year=80000.0)


def _act() -> MethodConfig:
    return MethodConfig(staff=3, caseload=8, cost_dkk_per_year=130000.0)


@dataclass
class SupportConfig:
    staffing: str = param(
        "demand",
        choices=("demand", "fixed"),
        source="[C] the municipality must provide the support it decides (serviceloven §85a); "
        "staff is a budget line",
        doc="demand: teams grow and shrink with the caseload (the staff taken is reported); "
        "fixed: support.<method>.staff caps each team, with a waiting list",
    )
    cti: MethodConfig = field(default_factory=_cti)
    icm: MethodConfig = field(default_factory=_icm)
    act: MethodConfig = field(default_factory=_act)
    cti_weeks: float = param(
        39.0,
        lo=1,
        hi=520,
        unit="weeks",
        source="[C] CTI: 9 months in three phases",
        doc="length of a CTI course",
    )
    cti_discharge_share: float = param(
        0.3,
        lo=0,
        hi=1,
        unit="share",
        source="[C] CTI bridges the move from a shelter or an institution to one's own home and "
        "is meant to start at discharge (Herman et al. 2011); in the Danish CTI 22 % obtained "
        "a dwelling during the course, 73 % began it in one (Hjemløsestrategien); the share "
        "[A], fitted to those two figures (docs/calibration.md)",
        doc="chance that a Housing First client whose method is CTI starts a course when a "
        "shelter stay ends without a dwelling (drawn once a spell; the course goes on outside "
        "and into a dwelling that comes during it); otherwise CTI starts at move-in",
    )
    cti_intensity_phase2: float = param(
        0.66,
        lo=0,
        hi=1,
        unit="share",
        source="[C] falling intensity; value assumption",
        doc="CTI intensity in phase 2 (phase 1 = 1)",
    )
    cti_intensity_phase3: float = param(
        0.33,
        lo=0,
        hi=1,
        unit="share",
        source="[C] falling intensity; value assumption",
        doc="CTI intensity in phase 3",
    )
    tapered_intensity: float = param(
        0.5, lo=0, hi=1, unit="share", doc="ICM/ACT intensity while tapering"
    )
    misfit_effect: float = param(
        0.5,
        lo=0,
        hi=1,
        unit="share",
        doc="share of the support effect kept when the method does not fit the needs",
    )


# ---------------------------------------------------------------------------------------
# Allocation of offered dwellings
# ---------------------------------------------------------------------------------------
@dataclass
class AllocationConfig:
    rule: str = param(
        "best_fit",
        choices=("first_come", "best_fit"),
        doc="first_come: longest wait first; best_fit: assignment on a fit score",
    )
    interval_weeks: int = param(
        1,
        lo=1,
        hi=52,
        unit="weeks",
        source="assumption; Odense: monthly matching meetings [C]",
        doc="how often the municipality matches offered units to citizens",
    )
    max_rent_burden: float = param(
        1.15,
        lo=0.1,
        hi=10,
        unit="rent/affordable",
        doc="largest rent relative to what the citizen can pay that is still offered",
    )
    guarantee_weeks: int = param(
        0,
        lo=0,
        hi=520,
        unit="weeks",
        source="[C] Odense: an offer within 3 months (13 weeks)",
        doc="housing guarantee: citizens waiting longer go first (0 = no guarantee)",
    )
    decline_prob: float = param(
        0.10, lo=0, hi=1, unit="probability", doc="chance a citizen declines a well-fitting offer"
    )
    decline_prob_misfit: float = param(
        0.30, lo=0, hi=1, unit="probability", doc="chance a citizen declines a badly fitting offer"
    )
    decline_quarantine_weeks: int = param(
        13,
        lo=0,
        hi=520,
        unit="weeks",
        source="[C] a citizen who declines is taken off the list; length assumption",
        doc="weeks off the list after declining",
    )
    candidates_per_unit: int = param(
        5, lo=1, hi=100, unit="count", doc="best_fit: candidates considered per offered unit"
    )


# ---------------------------------------------------------------------------------------
# Costs
# ---------------------------------------------------------------------------------------
@dataclass
class CostsConfig:
    shelter_dkk_per_night: float = param(
        1500.0,
        lo=0,
        hi=100000,
        unit="DKK/night",
        source="[C] SBST: about 550,000 a year",
        doc="cost of one §110 night",
    )
    transitional_dkk_per_night: float = param(
        1000.0, lo=0, hi=100000, unit="DKK/night", doc="cost of one §107 / transitional night"
    )
    guarantee_dkk: float = param(
        25000.0,
        lo=0,
        hi=10000000,
        unit="DKK",
        doc="guarantee payment to a private landlord after a breakdown (rent and repairs)",
    )
    cheap_subsidy_dkk_per_year: float = param(
        16965.0,
        lo=0,
        hi=1000000,
        unit="DKK/dwelling-year",
        source="[C] SBST: 150 mio DKK for 1,379 dwellings",
        doc="rent reduction of a re-priced dwelling",
    )
    private_subsidy_share: float = param(
        1.0,
        lo=0,
        hi=1,
        unit="share",
        source="[C] §57a move-on subsidy, net rent about 3,500",
        doc="share of private rent above the affordable rent paid as a subsidy",
    )


# ---------------------------------------------------------------------------------------
# Policy, regime, municipality, outputs
# ---------------------------------------------------------------------------------------
@dataclass
class PolicyConfig:
    name: str = param(
        "housing_first",
        choices=("housing_first", "shelter_first", "mixed", "status_quo"),
        doc="the municipality's policy",
    )
    mixed_rule: str = param(
        "high_needs", choices=("high_needs", "share"), doc="mixed: who gets Housing First"
    )
    hf_share: float = param(0.5, lo=0, hi=1, unit="share", doc="mixed/share: Housing First share")
    hf_support_share: float = param(
        0.08,
        lo=0,
        hi=1,
        unit="share",
        source="[S] Socialstyrelsen 2021: about 8 % of the homeless received CTI, ICM or ACT in "
        "2019-20; [C] 1 in 20 enrolled in 2009-13 (Hjemløsestrategien)",
        doc="status_quo: share of new spells on the Housing First track (a dwelling with CTI, "
        "ICM or ACT); the rest take the staircase",
    )
    support_shortage: str = param(
        "wait",
        choices=("wait", "without"),
        doc="Housing First when the matched team is full: wait homeless, or move in without it",
    )
    readiness: str = param(
        "in_shelter",
        choices=("transitional_step", "in_shelter"),
        source="[C] Ankestyrelsen 2021: about 7 in 10 shelter residents judged ready to move, "
        "waiting there for a dwelling",
        doc="shelter-first: where a citizen is judged housing ready: in the shelter after "
        "treatment, then waiting there for a dwelling (Danish practice, the default), or in a "
        "transitional step after treatment (the idealised staircase)",
    )
    graduate_support: str = param(
        "none",
        choices=("none", "cti", "icm"),
        doc="support given to shelter-first graduates when housed",
    )
    high_needs_method: str = param(
        "act",
        choices=("act", "icm"),
        source="[C] ACT is the method for the most complex needs (Socialstyrelsen's Housing "
        "First methods); a municipality without an ACT team uses ICM [A]",
        doc="Housing First support for clients with high needs: act (the method that fits), "
        "or icm (cheaper, more clients per worker, but it cannot hold high needs: "
        "support.misfit_effect applies)",
    )


@dataclass
class RegimeConfig:
    name: str = param(
        "reform_2023", choices=("pre_2023", "reform_2023", "reform_2026"), doc="reimbursement rules"
    )
    shelter_refund_share: float = param(0.5, lo=0, hi=1, unit="share", source="[C] SEL §110")
    shelter_refund_days: int = param(
        120,
        lo=0,
        hi=366,
        unit="days/rolling year",
        source="[C] L 64 (2023): 120 days; 90 from 1 April 2026; 366 = no limit",
        doc="§110 days refunded per rolling year",
    )
    support_refund_share: float = param(0.5, lo=0, hi=1, unit="share", source="[C] §85a, SEL §176a")
    support_refund_weeks: float = param(
        104.0, lo=0, hi=1040, unit="weeks", source="[C] up to 2 years after discharge"
    )
    transitional_refund_share: float = param(0.5, lo=0, hi=1, unit="share", source="[C] §107")
    transitional_refund_weeks: float = param(
        26.0, lo=0, hi=520, unit="weeks", source="[C] up to 6 months within a year"
    )


@dataclass
class MunicipalityConfig:
    name: str = param("aarhus", doc="preset name")
    table: str = param("", doc="CSV of municipalities and shares (multi-municipality presets)")
    share_column: str = param("homeless_share", doc="column giving each municipality's share")
    region: str = param("", doc="multi-municipality presets: keep only this region's rows")
    provenance: str = param("", doc="where the preset's numbers come from (shown in the report)")
    neighbourhoods_per_10k_units: float = param(
        3.0, lo=0, hi=100, unit="count", doc="multi-municipality presets: neighbourhood density"
    )


@dataclass
class ReportConfig:
    language: str = param("en", choices=("en", "da"), doc="report language")
    figures: bool = param(True, doc="write figures/*.png and report.html")


@dataclass
class OutputConfig:
    timeseries_every_weeks: int = param(
        4, lo=1, hi=52, unit="weeks", doc="sampling interval of timeseries.parquet"
    )
    per_municipality: bool = param(True, doc="timeseries per municipality (else national only)")
    workers: int = param(
        0, lo=0, hi=1024, unit="processes", doc="replication workers (0 = all cores)"
    )


@dataclass
class ExperimentConfig:
    """A named study for ``hfsim compare``: its question and scenarios.

    ``scenarios`` maps a scenario name to the overrides that make it (dotted keys or group
    choices, e.g. ``{policy: shelter_first, housing.anvisning_share: 0.5}``); every scenario
    runs on the same seeds. Empty means Housing First against shelter-first.
    """

    name: str = param("", doc="named study (experiment config group)")
    question: str = param("", doc="the question the study answers")
    question_da: str = param("", doc="the question in Danish (report.language=da)")
    baseline: str = param("", doc="scenario the others are compared with")
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    # scenario -> the scenario it is compared with instead of `baseline`
    compare_to: dict[str, str] = field(default_factory=dict)
    # KPIs the report's headline findings describe (empty: a standard set)
    headline: list[str] = field(default_factory=list)
    # scenario -> language (en, da) -> the name the report shows
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class TrialConfig:
    """``experiment=trial``: a randomised trial inside the model (see :mod:`hfsim.trial`)."""

    enabled: bool = param(False, doc="draw, randomise and follow a trial cohort in each run")
    start_weeks: int = param(
        0,
        lo=0,
        hi=5200,
        unit="weeks",
        doc="when the cohort is drawn and randomised, in weeks after the warm-up",
    )
    cohort_per_arm: int = param(
        50,
        lo=1,
        hi=100000,
        unit="persons",
        source="assumption: a site of a multi-site trial; fewer when fewer are homeless",
        doc="citizens per arm in each needs group (high, moderate)",
    )
    pool_share: float = param(
        1.0,
        lo=0,
        hi=1,
        unit="dwellings/participant",
        source="assumption: trials give each Housing First participant a rent-supplemented "
        "dwelling",
        doc="dedicated dwellings per Housing First participant (0: no dedicated pool)",
    )


@dataclass
class HistoryConfig:
    """``experiment=history``: the backcast of ``hfsim run`` (see :mod:`hfsim.history`)."""

    enabled: bool = param(
        False,
        doc="compute the yearly statistics of the observed series and write history.csv "
        "and history.png",
    )
    observed: str = param(
        "history_dk",
        choices=("history_dk",),
        source="[C] VIVE counts and Ankestyrelsen's §110 statistics (EVIDENCE.md)",
        doc="table of observed yearly values in hfsim/data/ (<name>.csv)",
    )


@dataclass
class SweepConfig:
    samples: int = param(
        0, lo=0, hi=10000000, unit="points", doc="Latin-hypercube points for interval(...) sweeps"
    )
    workers: int = param(0, lo=0, hi=1024, unit="processes", doc="local workers (0 = all cores)")
    backend: str = param("local", choices=("local", "dask"), doc="where runs execute")
    address: str = param("", doc="dask scheduler address, e.g. tcp://127.0.0.1:8786")


@dataclass
class SensitivityConfig:
    method: str = param("both", choices=("morris", "sobol", "both"), doc="which analyses to run")
    parameters: dict[str, Any] = field(default_factory=dict)  # dotted key -> [low, high]
    kpis: list[str] = field(default_factory=list)
    samples: int = param(
        16,
        lo=1,
        hi=1000000,
        unit="base samples",
        doc="Morris trajectories / Sobol base sample size N",
    )
    levels: int = param(4, lo=2, hi=20, unit="levels", doc="Morris grid levels")


@dataclass
class CalibrateConfig:
    """``hfsim calibrate``: the search space, the targets, the optimiser and its stopping rule.

    A preset declares its own space and targets (``configs/municipality/*.yaml``); see
    ``docs/calibration.md``.
    """

    parameters: dict[str, Any] = field(default_factory=dict)  # dotted key -> [low, high]
    free: list[str] = field(default_factory=list)  # fit only these of `parameters` (empty: all)
    targets: list[str] = field(default_factory=list)  # target names in hfsim/data/targets_dk.csv
    budget: int = param(60, lo=1, hi=1000000, unit="evaluations", doc="objective evaluations")
    replications: int = param(3, lo=1, hi=1000, unit="runs", doc="replications per evaluation")
    method: str = param(
        "nelder_mead",
        choices=("nelder_mead", "powell", "differential_evolution"),
        doc="scipy.optimize method, on the parameters scaled to [0, 1] (log scale for wide ranges)",
    )
    tolerance: float = param(
        1e-3,
        lo=0,
        hi=1e6,
        unit="objective",
        doc="stop early when the optimiser's changes in objective and scaled parameters fall below this",
    )
    centre_weight: float = param(
        0.05,
        lo=0,
        hi=100,
        unit="weight",
        doc="weight of the squared distance to the observed value, added to the distance to the range",
    )
    write_presets: list[str] = field(default_factory=list)  # preset files to write the fit into
    preset_only: list[str] = field(
        default_factory=lambda: ["citizens.inflow_per_year", "citizens.initial_homeless"]
    )  # scale parameters: written only to the calibrated preset, not to the other write_presets
    output: str = param("", doc="also write the fitted values to this YAML file (optional)")


@dataclass
class BenchConfig:
    """``hfsim bench``: what is timed besides the run of ``municipality`` over ``years``."""

    scales: list[float] = param(
        [1.0, 2.0, 4.0],
        lo=0.01,
        hi=100,
        unit="factor",
        doc="population multipliers (people, places, dwellings, landlords and staff together)",
    )
    horizons: list[int] = param(
        [5, 10, 20],
        lo=1,
        hi=100,
        unit="years",
        doc="horizons (years after the warm-up) for the growth of time with the horizon",
    )
    repeats: int = param(1, lo=1, hi=100, unit="runs", doc="timed repeats per measurement (best)")
    naive: bool = param(True, doc="also time the naive baseline (every agent stepped weekly)")
    trivial_agents: int = param(
        20000,
        lo=1,
        hi=10_000_000,
        unit="agents",
        source="assumption; the yardstick of issue #12 (20,000 agents, 52 weeks a year)",
        doc="agents of the trivial Mesa loop the run is measured against",
    )
    parallel_runs: int = param(
        0, lo=0, hi=1000, unit="runs", doc="replications timed for the speed-up (0 = 2 per core)"
    )


@dataclass
class AppConfig:
    """``hfsim app``: where the teaching dashboard listens (this machine only: it has no login)."""

    host: str = param(
        "127.0.0.1",
        choices=("127.0.0.1", "localhost", "::1"),
        doc="loopback address the dashboard binds to",
    )
    port: int = param(8765, lo=1, hi=65535, unit="TCP port", doc="dashboard port")


@dataclass
class Config:
    seed: int = param(0, lo=0, hi=2**32 - 1, doc="root seed of every random stream")
    years: int = param(10, lo=1, hi=100, unit="years", doc="horizon after the warm-up")
    warmup_years: int = param(
        10,
        lo=0,
        hi=50,
        unit="years",
        doc="warm-up, excluded from KPIs: the calibrated status quo takes about ten years to "
        "settle from the counted start (docs/validation.md)",
    )
    replications: int = param(10, lo=1, hi=100000, unit="runs", doc="replications per scenario")
    scenario: str = param("", doc="scenario label (defaults to the policy name)")
    start_year: int = param(
        2024,
        lo=1900,
        hi=2200,
        unit="year",
        source="[C] VIVE count 2024: the year of the national data (a preset sets its own)",
        doc="calendar year at which the horizon starts (the warm-up runs before it)",
    )
    # dated changes of levers: [{at: YEAR, set: {dotted.key: value}}] (hfsim.processes.timeline)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    citizens: CitizensConfig = field(default_factory=CitizensConfig)
    shelter: ShelterConfig = field(default_factory=ShelterConfig)
    housing: HousingConfig = field(default_factory=HousingConfig)
    tenancy: TenancyConfig = field(default_factory=TenancyConfig)
    support: SupportConfig = field(default_factory=SupportConfig)
    allocation: AllocationConfig = field(default_factory=AllocationConfig)
    costs: CostsConfig = field(default_factory=CostsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    regime: RegimeConfig = field(default_factory=RegimeConfig)
    municipality: MunicipalityConfig = field(default_factory=MunicipalityConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    trial: TrialConfig = field(default_factory=TrialConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)
    sensitivity: SensitivityConfig = field(default_factory=SensitivityConfig)
    calibrate: CalibrateConfig = field(default_factory=CalibrateConfig)
    bench: BenchConfig = field(default_factory=BenchConfig)
    app: AppConfig = field(default_factory=AppConfig)

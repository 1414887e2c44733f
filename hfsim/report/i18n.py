"""Report texts in English and Danish, and number formatting for each language.

Danish uses the terms Danish analysts use: hjemløse, gadesovende, sofasurfere, §110-boform,
midlertidigt ophold (§107), anvisningsret, refusion, bostøtte (CTI/ICM/ACT), boligstøtte,
huslejetilskud, trappetrinsmodellen. Every key exists in both languages (a test checks it).
"""

from __future__ import annotations

import math

LANGUAGES = ("en", "da")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # page and sections
        "title_run": "Simulation report",
        "title_compare": "Scenario comparison",
        "generated": "Made with hfsim {version}",
        "question": "Question",
        "findings": "Main findings",
        "findings_intro": (
            "Each sentence compares a scenario with its baseline. The same people and the same "
            "vacant dwellings appear in every scenario (common random numbers), so the "
            "difference is measured replication by replication; the interval is the 95 % "
            "confidence interval of that difference over {n} replications."
        ),
        "findings_intro_run": (
            "Means over {n} replications, with 95 % confidence intervals, over the {years} "
            "years after the warm-up."
        ),
        "unclear_note": (
            "“No clear difference” means the 95 % interval includes zero: more replications "
            "(replications=N) may settle it."
        ),
        "scenarios": "Scenarios",
        "scenarios_intro": (
            "Every scenario starts from the same settings; the table shows what each one changes."
        ),
        "scenario": "Scenario",
        "changes": "What it changes",
        "no_changes": "the common settings",
        "is_baseline": "baseline",
        "compared_with": "compared with",
        "results": "Results",
        "results_intro": (
            "Mean over replications, with the 95 % confidence interval in brackets. "
            "All results cover the {years} years after a {warmup}-year warm-up."
        ),
        "differences": "Differences from the baseline",
        "differences_intro": (
            "Difference = scenario minus baseline, paired over replications, with its 95 % "
            "confidence interval. Bold: the interval excludes zero."
        ),
        "download": "Download the tables as CSV (for spreadsheets):",
        "figures": "Figures",
        "how_to_read": "How to read it:",
        "assumptions": "Assumptions",
        "assumptions_intro": (
            "The model is a simplified picture of a municipality. Its numbers come from Danish "
            "sources where they exist; where none exist they are assumptions, and results that "
            "depend on them should be read as “what if” rather than as forecasts."
        ),
        "source_counts": (
            "Of the {total} numeric model parameters, {confirmed} come from a confirmed source, "
            "{secondary} from a secondary source, {derived} are derived from sources, "
            "{calibrated} are calibrated to Danish targets and {assumption} are assumptions."
        ),
        "assumption_list": (
            "There are no Danish figures on progression through the staircase, drop-out or "
            "relapse: the shelter-first steps are assumptions.|"
            "The cost of each support method (CTI, ICM, ACT) is chosen within the 40,000–130,000 "
            "DKK a year the Social- og Boligstyrelsen reports; the split between methods is an "
            "assumption.|"
            "Private landlords' willingness to offer dwellings, and how trust grows and falls, "
            "are assumptions.|"
            "Tenancy breakdown risks are calibrated so that about 90 % of supported tenants keep "
            "their home, as in the Danish Housing First programmes.|"
            "Municipal figures (people, places, dwellings, staff) are scaled from national "
            "figures unless the preset gives a local source."
        ),
        "changed_parameters": "Parameters the scenarios change",
        "all_parameters": "All parameters (values of the baseline scenario)",
        "parameter": "Parameter",
        "value": "Value",
        "source": "Source",
        "description": "Meaning",
        "param_note": "",
        "reproduce": "How to reproduce",
        "reproduce_intro": (
            "The same command, config and version give exactly the same numbers. "
            "The output folder holds config.yaml (every setting) and, for each scenario, its "
            "own folder with kpis.csv (one row per replication), timeseries.parquet and "
            "tenancies.parquet."
        ),
        "command": "Command",
        "version": "hfsim version",
        "seed": "Seed",
        "replication_seeds": "Replication seeds",
        "replications_label": "Replications per scenario",
        "horizon": "Horizon",
        "horizon_value": "{years} years after a {warmup}-year warm-up",
        "municipality": "Municipality",
        "regime": "Reimbursement rules",
        "policy": "Policy",
        "experiment": "Study",
        "python_api": "Python",
        "kpi": "Indicator",
        "mean": "Mean",
        "ci": "95 % CI",
        "unit": "Unit",
        "difference": "Difference",
        # sentences
        "lower": "lower",
        "higher": "higher",
        "sentence_diff": (
            "{noun} is {direction} under “{scenario}” than under “{baseline}”: {value} against "
            "{base_value} ({diff}; 95 % CI {low} to {high})."
        ),
        "sentence_same": (
            "{noun}: no clear difference between “{scenario}” and “{baseline}”: {value} against "
            "{base_value} ({diff}; 95 % CI {low} to {high})."
        ),
        "sentence_level": "{noun}: {value} (95 % CI {low} to {high}).",
        "sentence_no_interval": (
            "{noun} is {value} under “{scenario}” against {base_value} under “{baseline}” "
            "({diff}); with one replication there is no interval."
        ),
        "na": "not available",
        # figures
        "years_after_warmup": "years after warm-up (shaded: warm-up)",
        "year_after_warmup": "year after warm-up",
        "persons": "persons",
        "persons_per_week": "persons per week",
        "landlords": "landlords",
        "trust": "mean trust (0 = none, 1 = full)",
        "months_since_movein": "months since move-in",
        "share_not_broken_down": "share of tenancies not broken down",
        "days_waited": "days from becoming homeless to moving in",
        "share_housed_within": "share of those housed who waited at most this long",
        "mio_dkk_per_year": "million DKK per year",
        "mio_dkk": "million DKK",
        "percent_diff": "difference from baseline (%)",
        "band_note": "Lines: mean over {n} replications; shading: 95 % confidence interval.",
        "band_note_stock": (
            "Layers: mean over {n} replications. Black line: homeless in total; dotted: its 95 % "
            "confidence interval."
        ),
        "capacity": "capacity",
        "homeless_total": "homeless (total)",
        "warmup": "warm-up",
        "fig_differences": "Differences from the baseline",
        "cap_differences": (
            "Difference of each scenario from its baseline, in per cent of the baseline, with "
            "its 95 % confidence interval (paired over replications)."
        ),
        "read_differences": (
            "A point left of zero means the indicator is lower than in the baseline. A point "
            "whose interval crosses zero shows no clear difference. For costs and homelessness, "
            "lower is better; for tenancies kept, higher is better."
        ),
        "fig_stock": "Where people are, over time",
        "cap_stock": (
            "Mean number of people in each situation: rough sleeping, sofa-surfing, §110 "
            "shelter, temporary accommodation or transitional steps, and housed through the "
            "municipality."
        ),
        "read_stock": (
            "The height of the coloured layers below “housed” is the number of homeless "
            "people; the black line marks that total and the dotted lines its 95 % interval. "
            "The grey area is the warm-up, "
            "when the model settles from its starting point; results ignore it."
        ),
        "fig_survival": "How long tenancies last",
        "cap_survival": (
            "Kaplan–Meier estimate of the share of tenancies that have not broken down "
            "(arrears, conduct, neighbour conflict or abandonment) by time since move-in, "
            "with 95 % confidence bands. Tenancies that ended well or were still running are "
            "counted until they ended."
        ),
        "read_survival": (
            "A higher curve means tenancies last longer. Read off the share still in place at "
            "12 or 24 months; the steep part early on is the risky first half-year."
        ),
        "fig_wait": "Waiting time for a dwelling",
        "cap_wait": (
            "Share of those who moved into their own dwelling who had waited at most the "
            "number of days on the horizontal axis, counted from the start of their spell of "
            "homelessness."
        ),
        "read_wait": (
            "A curve further to the left means shorter waits. Where a curve crosses 50 % is "
            "the median wait. Only people who were housed are counted: a scenario that houses "
            "few people can still show short waits."
        ),
        "cap_wait_medians": (
            "Median days from becoming homeless to moving in, one dot per replication, with "
            "the mean of the replications as a bar."
        ),
        "read_wait_medians": (
            "Dots further to the left mean shorter waits. Only people who were housed are "
            "counted: a scenario that houses few people can still show short waits."
        ),
        "fig_costs": "Who pays what",
        "cap_costs": (
            "Top: mean public cost per year by category, for the municipality and the state "
            "under the reimbursement rules, with the 95 % interval of each total. Bottom: "
            "total cost per year for each payer."
        ),
        "read_costs": (
            "Compare the bar lengths between scenarios for each payer. The state's share is "
            "its refund (refusion) of shelter, §107 and Housing First support costs; the "
            "reform of 2023 limits the shelter refund to 120 days a year (90 from 2026)."
        ),
        "fig_landlords": "Private landlords",
        "cap_landlords": (
            "Left: private landlords who offered a dwelling to the municipality in the past "
            "year. Right: their mean trust in the set-up, which rises with stable tenancies "
            "and falls with breakdowns."
        ),
        "read_landlords": (
            "Rising lines mean private landlords are joining. Guarantees and a named support "
            "contact are the levers that keep trust up when a tenancy fails."
        ),
        "fig_support": "Housing support (CTI, ICM, ACT)",
        "cap_support": (
            "Left: citizens receiving housing support, with the teams' total capacity "
            "(staff × caseload) dashed. Right: citizens waiting for a place."
        ),
        "read_support": (
            "When the line meets the dashed capacity, the teams are full and a waiting list "
            "builds up; under Housing First a citizen may then wait for a dwelling too."
        ),
        "fig_shelter": "§110 shelters",
        "cap_shelter": (
            "Left: occupied shelter places, with the number of places dashed. Right: people "
            "turned away for lack of a bed, per week."
        ),
        "read_shelter": (
            "A line at the dashed capacity means the shelters are full; people turned away "
            "sleep rough or on a sofa instead."
        ),
        "panel_landlords": "Private landlords offering dwellings",
        "panel_trust": "Landlords' trust",
        "panel_support": "Citizens in housing support",
        "panel_waiting": "Waiting for housing support",
        "panel_occupied": "Occupied §110 places",
        "panel_turned_away": "Turned away (no bed)",
        "categories_note": "Cost categories",
        # cost categories and payers
        "cat_shelter": "§110 shelter",
        "cat_transitional": "§107 / transitional",
        "cat_support": "housing support (§85a)",
        "cat_guarantee": "landlord guarantees",
        "cat_vacancy_rent": "rent for held vacancies",
        "cat_rent_subsidy": "rent subsidies",
        "payer_municipality": "municipality",
        "payer_state": "state",
        # states
        "rough_sleeping": "rough sleeping",
        "sofa_surfing": "sofa-surfing",
        "shelter": "§110 shelter",
        "transitional": "temporary / transitional (§107)",
        "housed": "housed",
        # policies, regimes, group keys
        "policy_housing_first": "Housing First",
        "policy_shelter_first": "shelter-first (staircase)",
        "policy_mixed": "mixed",
        "regime_pre_2023": "rules before Oct 2023 (50 % refund, no time limit)",
        "regime_reform_2023": "2023 reform (refund for 120 days a year)",
        "regime_reform_2026": "2026 rules (refund for 90 days a year)",
        "yes": "yes",
        "no": "no",
    },
    "da": {
        "title_run": "Simuleringsrapport",
        "title_compare": "Sammenligning af scenarier",
        "generated": "Lavet med hfsim {version}",
        "question": "Spørgsmål",
        "findings": "Hovedresultater",
        "findings_intro": (
            "Hver sætning sammenligner et scenarie med dets sammenligningsgrundlag. De samme "
            "personer og de samme ledige boliger optræder i alle scenarier (fælles "
            "tilfældige tal), så forskellen måles kørsel for kørsel; intervallet er 95 %-"
            "konfidensintervallet (KI) for forskellen over {n} gentagelser."
        ),
        "findings_intro_run": (
            "Gennemsnit over {n} gentagelser med 95 %-konfidensintervaller (KI) for de {years} "
            "år efter indsvingningsperioden."
        ),
        "unclear_note": (
            "„Ingen klar forskel“ betyder, at 95 %-intervallet indeholder nul: flere "
            "gentagelser (replications=N) kan afgøre det."
        ),
        "scenarios": "Scenarier",
        "scenarios_intro": (
            "Alle scenarier bygger på de samme indstillinger; tabellen viser, hvad hvert "
            "scenarie ændrer."
        ),
        "scenario": "Scenarie",
        "changes": "Hvad det ændrer",
        "no_changes": "de fælles indstillinger",
        "is_baseline": "sammenligningsgrundlag",
        "compared_with": "sammenlignet med",
        "results": "Resultater",
        "results_intro": (
            "Gennemsnit over gentagelserne med 95 %-konfidensintervallet i kantede parenteser. Alle "
            "resultater dækker de {years} år efter en indsvingningsperiode på {warmup} år."
        ),
        "differences": "Forskelle fra sammenligningsgrundlaget",
        "differences_intro": (
            "Forskel = scenarie minus sammenligningsgrundlag, parret over gentagelserne, med "
            "95 %-konfidensinterval. Fed skrift: intervallet udelukker nul."
        ),
        "download": "Hent tabellerne som CSV (til regneark):",
        "figures": "Figurer",
        "how_to_read": "Sådan læses figuren:",
        "assumptions": "Forudsætninger",
        "assumptions_intro": (
            "Modellen er et forenklet billede af en kommune. Tallene kommer fra danske kilder, "
            "hvor de findes; hvor der ingen findes, er de antagelser, og resultater, der "
            "afhænger af dem, skal læses som „hvad nu hvis“ og ikke som prognoser."
        ),
        "source_counts": (
            "Af modellens {total} talparametre stammer {confirmed} fra en bekræftet kilde, "
            "{secondary} fra en sekundær kilde, {derived} er afledt af kilder, {calibrated} er "
            "kalibreret til danske mål, og {assumption} er antagelser."
        ),
        "assumption_list": (
            "Der findes ingen danske tal for progression gennem trappetrinsmodellen, frafald "
            "eller tilbagefald: trinene i trappetrinsmodellen er antagelser.|"
            "Prisen på hver bostøttemetode (CTI, ICM, ACT) er valgt inden for de 40.000–130.000 "
            "kr. om året, som Social- og Boligstyrelsen angiver; fordelingen mellem metoderne "
            "er en antagelse.|"
            "Private udlejeres vilje til at stille boliger til rådighed, og hvordan tilliden "
            "stiger og falder, er antagelser.|"
            "Risikoen for, at et lejemål bryder sammen, er kalibreret, så omkring 90 % af "
            "borgerne med bostøtte beholder boligen, som i de danske Housing First-forløb.|"
            "Kommunens tal (personer, pladser, boliger, medarbejdere) er skaleret fra landstal, "
            "medmindre forudindstillingen angiver en lokal kilde."
        ),
        "changed_parameters": "Parametre, som scenarierne ændrer",
        "all_parameters": "Alle parametre (værdier i sammenligningsgrundlaget)",
        "parameter": "Parameter",
        "value": "Værdi",
        "source": "Kilde",
        "description": "Betydning",
        "param_note": (
            "Beskrivelserne af de vigtigste håndtag er på dansk; de øvrige beskrivelser kommer "
            "direkte fra modellens skema og er på engelsk."
        ),
        "reproduce": "Sådan genskabes resultaterne",
        "reproduce_intro": (
            "Samme kommando, konfiguration og version giver nøjagtig de samme tal. "
            "Outputmappen indeholder config.yaml (alle indstillinger) og for hvert scenarie en "
            "mappe med kpis.csv (én række pr. gentagelse), timeseries.parquet og "
            "tenancies.parquet."
        ),
        "command": "Kommando",
        "version": "hfsim-version",
        "seed": "Startværdi (seed)",
        "replication_seeds": "Startværdier for gentagelserne",
        "replications_label": "Gentagelser pr. scenarie",
        "horizon": "Periode",
        "horizon_value": "{years} år efter en indsvingningsperiode på {warmup} år",
        "municipality": "Kommune",
        "regime": "Refusionsregler",
        "policy": "Indsats",
        "experiment": "Undersøgelse",
        "python_api": "Python",
        "kpi": "Indikator",
        "mean": "Gennemsnit",
        "ci": "95 %-KI",
        "unit": "Enhed",
        "difference": "Forskel",
        "lower": "lavere",
        "higher": "højere",
        "sentence_diff": (
            "{noun} er {direction} med „{scenario}“ end med „{baseline}“: {value} mod "
            "{base_value} ({diff}; 95 %-KI {low} til {high})."
        ),
        "sentence_same": (
            "{noun}: ingen klar forskel mellem „{scenario}“ og „{baseline}“: {value} mod "
            "{base_value} ({diff}; 95 %-KI {low} til {high})."
        ),
        "sentence_level": "{noun}: {value} (95 %-KI {low} til {high}).",
        "sentence_no_interval": (
            "{noun} er {value} med „{scenario}“ mod {base_value} med „{baseline}“ "
            "({diff}); med én gentagelse er der intet interval."
        ),
        "na": "ikke tilgængelig",
        "years_after_warmup": "år efter indsvingningsperioden (gråt: indsvingning)",
        "year_after_warmup": "år efter indsvingningsperioden",
        "persons": "personer",
        "persons_per_week": "personer pr. uge",
        "landlords": "udlejere",
        "trust": "gennemsnitlig tillid (0 = ingen, 1 = fuld)",
        "months_since_movein": "måneder efter indflytning",
        "share_not_broken_down": "andel af lejemål, der ikke er brudt sammen",
        "days_waited": "dage fra hjemløshed til indflytning",
        "share_housed_within": "andel af de boligplacerede, der højst ventede så længe",
        "mio_dkk_per_year": "mio. kr. pr. år",
        "mio_dkk": "mio. kr.",
        "percent_diff": "forskel fra sammenligningsgrundlaget (%)",
        "band_note": "Linjer: gennemsnit over {n} gentagelser; skygge: 95 %-konfidensinterval.",
        "band_note_stock": (
            "Lag: gennemsnit over {n} gentagelser. Sort linje: hjemløse i alt; prikket: 95 %-"
            "konfidensinterval."
        ),
        "capacity": "kapacitet",
        "homeless_total": "hjemløse i alt",
        "warmup": "indsvingning",
        "fig_differences": "Forskelle fra sammenligningsgrundlaget",
        "cap_differences": (
            "Hvert scenaries forskel fra sammenligningsgrundlaget i procent af grundlaget, "
            "med 95 %-konfidensinterval (parret over gentagelserne)."
        ),
        "read_differences": (
            "Et punkt til venstre for nul betyder, at indikatoren er lavere end i "
            "sammenligningsgrundlaget. Krydser intervallet nul, er der ingen klar forskel. "
            "For udgifter og hjemløshed er lavere bedre; for bevarede lejemål er højere bedre."
        ),
        "fig_stock": "Hvor borgerne befinder sig over tid",
        "cap_stock": (
            "Gennemsnitligt antal personer i hver situation: gadesovende, sofasurfere, "
            "§110-boform, midlertidigt ophold (§107, hotel, institution) og i egen bolig via "
            "kommunen."
        ),
        "read_stock": (
            "Højden af de farvede lag under „i egen bolig“ er antallet af hjemløse; den sorte "
            "linje viser det samlede tal og de prikkede linjer dets 95 %-interval. Det grå "
            "område er indsvingningsperioden, "
            "hvor modellen finder sit leje; den indgår ikke i resultaterne."
        ),
        "fig_survival": "Hvor længe lejemålene holder",
        "cap_survival": (
            "Kaplan–Meier-estimat af andelen af lejemål, der ikke er brudt sammen (restance, "
            "adfærd, nabokonflikt eller fraflytning) efter tid siden indflytning, med 95 %-"
            "konfidensbånd. Lejemål, der sluttede godt eller stadig løb, tælles med, til de "
            "sluttede."
        ),
        "read_survival": (
            "En højere kurve betyder, at lejemålene holder længere. Aflæs andelen, der stadig "
            "består efter 12 eller 24 måneder; det stejle stykke i starten er det risikable "
            "første halve år."
        ),
        "fig_wait": "Ventetid på en bolig",
        "cap_wait": (
            "Andelen af dem, der flyttede i egen bolig, som højst havde ventet det antal dage, "
            "der står på den vandrette akse, regnet fra starten af hjemløsheden."
        ),
        "read_wait": (
            "En kurve længere til venstre betyder kortere ventetid. Hvor kurven krydser 50 %, "
            "er medianen. Kun borgere, der fik en bolig, tælles med: et scenarie, der "
            "boligplacerer få, kan stadig vise korte ventetider."
        ),
        "cap_wait_medians": (
            "Median antal dage fra hjemløshed til indflytning, én prik pr. gentagelse, med "
            "gennemsnittet af gentagelserne som streg."
        ),
        "read_wait_medians": (
            "Prikker længere til venstre betyder kortere ventetid. Kun borgere, der fik en "
            "bolig, tælles med: et scenarie, der boligplacerer få, kan stadig vise korte "
            "ventetider."
        ),
        "fig_costs": "Hvem betaler hvad",
        "cap_costs": (
            "Øverst: gennemsnitlige offentlige udgifter pr. år efter kategori for kommunen og "
            "staten under refusionsreglerne, med 95 %-interval for hver total. Nederst: "
            "samlede udgifter pr. år for hver betaler."
        ),
        "read_costs": (
            "Sammenlign søjlernes længde mellem scenarierne for hver betaler. Statens andel er "
            "refusionen af udgifter til §110-boformer, §107-ophold og bostøtte efter Housing "
            "First; reformen fra 2023 begrænser refusionen for boformsophold til 120 dage om "
            "året (90 fra 2026)."
        ),
        "fig_landlords": "Private udlejere",
        "cap_landlords": (
            "Venstre: private udlejere, der har tilbudt kommunen en bolig det seneste år. "
            "Højre: deres gennemsnitlige tillid til samarbejdet, som stiger med stabile "
            "lejemål og falder, når lejemål bryder sammen."
        ),
        "read_landlords": (
            "Stigende linjer betyder, at flere private udlejere kommer med. Garantier og en "
            "fast kontaktperson er de håndtag, der holder tilliden oppe, når et lejemål "
            "bryder sammen."
        ),
        "fig_support": "Bostøtte (CTI, ICM, ACT)",
        "cap_support": (
            "Venstre: borgere, der modtager bostøtte, med teamenes samlede kapacitet "
            "(medarbejdere × sagsstamme) stiplet. Højre: borgere på venteliste til en plads."
        ),
        "read_support": (
            "Når linjen når den stiplede kapacitet, er teamene fyldt op, og der opstår "
            "venteliste; under Housing First kan borgeren så også komme til at vente på "
            "boligen."
        ),
        "fig_shelter": "§110-boformer",
        "cap_shelter": (
            "Venstre: belagte pladser på boformerne, med antallet af pladser stiplet. Højre: "
            "personer afvist på grund af manglende plads, pr. uge."
        ),
        "read_shelter": (
            "En linje ved den stiplede kapacitet betyder, at boformerne er fulde; de afviste "
            "sover på gaden eller hos venner i stedet."
        ),
        "panel_landlords": "Private udlejere, der tilbyder boliger",
        "panel_trust": "Udlejernes tillid",
        "panel_support": "Borgere med bostøtte",
        "panel_waiting": "På venteliste til bostøtte",
        "panel_occupied": "Belagte pladser på §110-boformer",
        "panel_turned_away": "Afvist (ingen ledig plads)",
        "categories_note": "Udgiftskategorier",
        "cat_shelter": "§110-boform",
        "cat_transitional": "§107 / midlertidigt ophold",
        "cat_support": "bostøtte (§85a)",
        "cat_guarantee": "garantier til udlejere",
        "cat_vacancy_rent": "tomgangsleje",
        "cat_rent_subsidy": "huslejetilskud",
        "payer_municipality": "kommune",
        "payer_state": "stat",
        "rough_sleeping": "gadesovende",
        "sofa_surfing": "sofasurfere",
        "shelter": "§110-boform",
        "transitional": "midlertidigt ophold (§107, hotel, institution)",
        "housed": "i egen bolig",
        "policy_housing_first": "Housing First",
        "policy_shelter_first": "trappetrinsmodellen",
        "policy_mixed": "blandet model",
        "regime_pre_2023": "regler før okt. 2023 (50 % refusion uden tidsgrænse)",
        "regime_reform_2023": "reformen 2023 (refusion i 120 dage om året)",
        "regime_reform_2026": "regler fra 2026 (refusion i 90 dage om året)",
        "yes": "ja",
        "no": "nej",
    },
}

# KPI: (short label, unit, noun phrase used in sentences)
KPI_TEXT: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {
        "homeless_mean": (
            "Homeless (point-in-time, mean)",
            "persons",
            "the number of homeless people at any one time",
        ),
        "rough_sleeping_mean": ("Rough sleeping (mean)", "persons", "the number sleeping rough"),
        "sofa_surfing_mean": ("Sofa-surfing (mean)", "persons", "the number sofa-surfing"),
        "shelter_mean": (
            "In §110 shelters (mean)",
            "persons",
            "the number staying in §110 shelters",
        ),
        "transitional_mean": (
            "In temporary accommodation or transitional steps (mean)",
            "persons",
            "the number in temporary accommodation or transitional steps (§107)",
        ),
        "housed_mean": (
            "Housed through the municipality (mean)",
            "persons",
            "the number housed through the municipality",
        ),
        "shelter_users_per_year": (
            "Shelter users per year",
            "persons/year",
            "the number of shelter users per year",
        ),
        "shelter_nights_per_user": (
            "Shelter nights per user per year",
            "nights",
            "shelter nights per user per year",
        ),
        "shelter_stay_mean_days": (
            "Mean length of a shelter stay",
            "days",
            "the mean length of a shelter stay",
        ),
        "placements_per_year": (
            "Moves into own dwelling per year",
            "moves/year",
            "the number of moves into an own dwelling per year",
        ),
        "days_to_housing_median": (
            "Days from homelessness to move-in (median)",
            "days",
            "the median wait from becoming homeless to moving in",
        ),
        "retention_12m": (
            "Tenancies kept 12 months",
            "share",
            "the share of tenancies kept for 12 months",
        ),
        "retention_24m": (
            "Tenancies kept 24 months",
            "share",
            "the share of tenancies kept for 24 months",
        ),
        "time_housed_share": (
            "Share of time housed",
            "share",
            "the share of time people spend housed",
        ),
        "returns_12m": (
            "Tenancies lost within 12 months",
            "share",
            "the share of tenancies lost within 12 months",
        ),
        "cost_total_dkk_per_year": (
            "Public cost per year",
            "DKK/year",
            "the total public cost per year",
        ),
        "cost_municipal_dkk_per_year": (
            "Municipal cost per year",
            "DKK/year",
            "the municipality's cost per year",
        ),
        "cost_state_dkk_per_year": (
            "State cost per year (refunds)",
            "DKK/year",
            "the state's cost per year",
        ),
        "private_landlords_active": (
            "Private landlords offering dwellings",
            "landlords",
            "the number of private landlords offering dwellings",
        ),
        "support_waitlist_mean": (
            "Waiting for housing support (mean)",
            "persons",
            "the number waiting for housing support",
        ),
        "support_staff_mean": ("Support staff employed (mean)", "staff", "the support staff"),
        "support_staff_peak": ("Support staff employed (peak)", "staff", "the peak support staff"),
        "cost_support_dkk_per_year": (
            "Housing support cost per year",
            "DKK/year",
            "the cost of housing support",
        ),
        "offers_per_year": (
            "Dwellings offered to the municipality per year",
            "dwellings/year",
            "the dwellings offered",
        ),
        "offers_taken_share": ("Offered dwellings let", "share", "the share of offers let"),
        "offers_lapsed_share": (
            "Offered dwellings that lapsed unused",
            "share",
            "the share of offers that lapsed",
        ),
        "lapsed_no_eligible_share": (
            "Lapsed: no eligible citizen left",
            "share",
            "the offers lapsed for want of an eligible citizen",
        ),
        "lapsed_unaffordable_share": (
            "Lapsed: no one could pay the rent",
            "share",
            "the offers lapsed because no one could pay the rent",
        ),
        "lapsed_no_support_share": (
            "Lapsed: no support slot",
            "share",
            "the offers lapsed for want of a support slot",
        ),
        "lapsed_declined_share": (
            "Lapsed: declined",
            "share",
            "the offers lapsed after being declined",
        ),
        "ready_waiting_mean": (
            "Eligible for a dwelling and waiting (mean)",
            "persons",
            "the number eligible and waiting for a dwelling",
        ),
        "turned_away_per_year": (
            "Shelter requests with no bed free",
            "requests/year",
            "the shelter requests turned away",
        ),
    },
    "da": {
        "homeless_mean": (
            "Hjemløse (gennemsnitligt antal på et tidspunkt)",
            "personer",
            "antallet af hjemløse på et givet tidspunkt",
        ),
        "rough_sleeping_mean": ("Gadesovende (gennemsnit)", "personer", "antallet af gadesovende"),
        "sofa_surfing_mean": ("Sofasurfere (gennemsnit)", "personer", "antallet af sofasurfere"),
        "shelter_mean": (
            "På §110-boform (gennemsnit)",
            "personer",
            "antallet af beboere på §110-boformer",
        ),
        "transitional_mean": (
            "I midlertidigt ophold (gennemsnit)",
            "personer",
            "antallet i midlertidigt ophold (§107, hotel, institution uden bolig)",
        ),
        "housed_mean": (
            "I egen bolig via kommunen (gennemsnit)",
            "personer",
            "antallet i egen bolig via kommunen",
        ),
        "shelter_users_per_year": (
            "Brugere af §110-boformer pr. år",
            "personer/år",
            "antallet af brugere af §110-boformer pr. år",
        ),
        "shelter_nights_per_user": (
            "Overnatninger pr. bruger pr. år",
            "nætter",
            "antallet af overnatninger pr. bruger pr. år",
        ),
        "shelter_stay_mean_days": (
            "Gennemsnitlig længde af et boformsophold",
            "dage",
            "den gennemsnitlige længde af et boformsophold",
        ),
        "placements_per_year": (
            "Indflytninger i egen bolig pr. år",
            "indflytninger/år",
            "antallet af indflytninger i egen bolig pr. år",
        ),
        "days_to_housing_median": (
            "Dage fra hjemløshed til indflytning (median)",
            "dage",
            "ventetiden fra hjemløshed til indflytning (median)",
        ),
        "retention_12m": (
            "Lejemål bevaret i 12 måneder",
            "andel",
            "andelen af lejemål, der holder i 12 måneder",
        ),
        "retention_24m": (
            "Lejemål bevaret i 24 måneder",
            "andel",
            "andelen af lejemål, der holder i 24 måneder",
        ),
        "time_housed_share": (
            "Andel af tiden i egen bolig",
            "andel",
            "andelen af tiden i egen bolig",
        ),
        "returns_12m": (
            "Lejemål mistet inden for 12 måneder",
            "andel",
            "andelen af lejemål, der mistes inden for 12 måneder",
        ),
        "cost_total_dkk_per_year": (
            "Offentlige udgifter pr. år",
            "kr./år",
            "de samlede offentlige udgifter pr. år",
        ),
        "cost_municipal_dkk_per_year": (
            "Kommunens udgifter pr. år",
            "kr./år",
            "kommunens udgifter pr. år",
        ),
        "cost_state_dkk_per_year": (
            "Statens udgifter pr. år (refusion)",
            "kr./år",
            "statens udgifter pr. år",
        ),
        "private_landlords_active": (
            "Private udlejere, der tilbyder boliger",
            "udlejere",
            "antallet af private udlejere, der tilbyder boliger",
        ),
        "support_waitlist_mean": (
            "På venteliste til bostøtte (gennemsnit)",
            "personer",
            "antallet på venteliste til bostøtte",
        ),
        "support_staff_mean": ("Ansatte i bostøtten (gennemsnit)", "ansatte", "bostøttens ansatte"),
        "support_staff_peak": (
            "Ansatte i bostøtten (højst)",
            "ansatte",
            "bostøttens flest ansatte",
        ),
        "cost_support_dkk_per_year": (
            "Udgift til bostøtte pr. år",
            "kr./år",
            "udgiften til bostøtte",
        ),
        "offers_per_year": (
            "Boliger tilbudt kommunen pr. år",
            "boliger/år",
            "de tilbudte boliger",
        ),
        "offers_taken_share": ("Tilbudte boliger, der blev lejet ud", "andel", "andelen udlejet"),
        "offers_lapsed_share": (
            "Tilbudte boliger, der gik tabt ubrugt",
            "andel",
            "andelen af tilbud, der gik tabt",
        ),
        "lapsed_no_eligible_share": (
            "Tabt: ingen berettiget borger tilbage",
            "andel",
            "tilbud tabt, fordi ingen berettiget borger var tilbage",
        ),
        "lapsed_unaffordable_share": (
            "Tabt: ingen kunne betale huslejen",
            "andel",
            "tilbud tabt, fordi ingen kunne betale huslejen",
        ),
        "lapsed_no_support_share": (
            "Tabt: ingen plads i bostøtten",
            "andel",
            "tilbud tabt, fordi der ikke var plads i bostøtten",
        ),
        "lapsed_declined_share": (
            "Tabt: takket nej",
            "andel",
            "tilbud tabt efter afslag",
        ),
        "ready_waiting_mean": (
            "Berettiget til en bolig og venter (gennemsnit)",
            "personer",
            "antallet, der er berettiget og venter på en bolig",
        ),
        "turned_away_per_year": (
            "Henvendelser til forsorgshjem uden ledig plads",
            "henvendelser/år",
            "de afviste henvendelser til forsorgshjem",
        ),
    },
}
for _language, _method_words in (
    ("en", ("mean", "peak", "staff")),
    ("da", ("gennemsnit", "højst", "ansatte")),
):
    for _stat, _word in zip(("mean", "peak"), _method_words[:2], strict=True):
        for _method in ("cti", "icm", "act"):
            KPI_TEXT[_language][f"support_staff_{_stat}_{_method}"] = (
                f"{_method.upper()} {_method_words[2]} ({_word})",
                _method_words[2],
                f"{_method.upper()} {_method_words[2]}",
            )

# Labels of the levers analysts change (scenario descriptions, parameter tables)
LEVER_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "policy": "policy",
        "regime": "reimbursement rules",
        "municipality": "municipality",
        "shelter.capacity": "§110 shelter places",
        "housing.anvisning_share": "anvisningsret: share of social vacancies the municipality claims",
        "housing.cheap_units": "cheap-housing programme: dwellings",
        "housing.cheap_start_year": "cheap-housing programme: start (years after warm-up)",
        "housing.private_guarantee": "rent and repair guarantee to private landlords",
        "housing.private_contact": "named support contact for private landlords",
        "housing.private_landlords": "private landlords with small affordable dwellings",
        "support.cti.staff": "CTI case workers",
        "support.icm.staff": "ICM case managers",
        "support.act.staff": "ACT team members",
        "allocation.rule": "allocation rule",
        "allocation.guarantee_weeks": "housing guarantee (weeks to an offer)",
    },
    "da": {
        "policy": "indsats",
        "regime": "refusionsregler",
        "municipality": "kommune",
        "shelter.capacity": "pladser på §110-boformer",
        "housing.anvisning_share": "anvisningsret: andel af ledige almene boliger, kommunen anviser",
        "housing.cheap_units": "boligprogram for billige boliger: antal boliger",
        "housing.cheap_start_year": "billige boliger: start (år efter indsvingning)",
        "housing.private_guarantee": "huslejegaranti og istandsættelsesgaranti til private udlejere",
        "housing.private_contact": "fast kontaktperson for private udlejere",
        "housing.private_landlords": "private udlejere med små, billige boliger",
        "support.cti.staff": "CTI-medarbejdere",
        "support.icm.staff": "ICM-medarbejdere (casemanagere)",
        "support.act.staff": "ACT-teammedlemmer",
        "allocation.rule": "fordelingsregel",
        "allocation.guarantee_weeks": "boliggaranti (uger til et tilbud)",
    },
}

UNIT_TEXT: dict[str, dict[str, str]] = {
    "en": {},
    "da": {
        "persons": "personer",
        "persons/year": "personer/år",
        "nights": "nætter",
        "days": "dage",
        "weeks": "uger",
        "years": "år",
        "share": "andel",
        "places": "pladser",
        "dwellings": "boliger",
        "landlords": "udlejere",
        "staff": "medarbejdere",
        "clients/staff": "borgere/medarbejder",
        "DKK/month": "kr./md.",
        "DKK/night": "kr./nat",
        "DKK/year": "kr./år",
        "DKK/client-year": "kr./borger-år",
        "DKK/dwelling-year": "kr./bolig-år",
        "DKK": "kr.",
        "1/year": "1/år",
        "moves/year": "indflytninger/år",
        "count": "antal",
        "factor": "faktor",
        "probability": "sandsynlighed",
        "years after warm-up": "år efter indsvingning",
    },
}


def text(language: str) -> dict[str, str]:
    """The report's texts in one language (``en`` or ``da``)."""
    return TEXT[language]


def kpi_label(key: str, language: str) -> str:
    """Short label of a KPI."""
    return KPI_TEXT[language][key][0]


def kpi_unit(key: str, language: str) -> str:
    """Unit of a KPI, in words of the language."""
    return KPI_TEXT[language][key][1]


def kpi_noun(key: str, language: str) -> str:
    """The KPI as a noun phrase for sentences (lower case)."""
    return KPI_TEXT[language][key][2]


def unit_text(unit: str, language: str) -> str:
    """A parameter unit in the report's language."""
    return UNIT_TEXT[language].get(unit, unit)


def option_label(group: str, option: str, language: str) -> str:
    """Readable name of a policy or regime option (other groups: the option as is)."""
    return TEXT[language].get(f"{group}_{option}", option)


def lever_label(key: str, language: str) -> str:
    """Readable name of a config key analysts change (the key itself if it has none)."""
    return LEVER_TEXT[language].get(key, key)


# ---------------------------------------------------------------------------------------
# Numbers: one formatting per KPI unit, in each language's conventions
# ---------------------------------------------------------------------------------------
MINUS = "\u2212"


def format_number(value: float, decimals: int, language: str, signed: bool = False) -> str:
    """A number with thousands separators (Danish: 1.234,5) and a true minus sign.

    Args:
        value: The number.
        decimals: Digits after the decimal mark.
        language: ``en`` or ``da``.
        signed: Show ``+`` before positive numbers.
    """
    if value is None or not math.isfinite(value):
        return "–"
    body = f"{abs(value):,.{decimals}f}"
    if language == "da":
        body = body.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if value < 0 and round(abs(value), decimals) != 0:
        return MINUS + body
    return ("+" + body) if signed and value > 0 else body


def _count_decimals(value: float) -> int:
    return 0 if abs(value) >= 100 else 1


def format_kpi(key: str, value: float, language: str, diff: bool = False) -> str:
    """A KPI value (or a difference of two values) with its unit, for sentences and tables.

    Shares are shown in per cent (differences in percentage points), costs in million DKK,
    counts with one decimal below 100.

    Args:
        key: The KPI.
        value: The value or difference.
        language: ``en`` or ``da``.
        diff: Format as a signed difference.
    """
    if value is None or not math.isfinite(value):
        return TEXT[language]["na"]
    unit = KPI_TEXT["en"][key][1]
    if unit == "share":
        suffix = (" procentpoint" if language == "da" else " pp") if diff else " %"
        return format_number(100 * value, 1, language, diff) + suffix
    if unit == "DKK/year":
        mio = value / 1e6
        decimals = 0 if abs(mio) >= 100 else 1 if abs(mio) >= 10 else 2
        return format_number(mio, decimals, language, diff) + " " + TEXT[language]["mio_dkk"]
    if unit in ("days", "nights"):
        return format_number(value, 0, language, diff) + " " + kpi_unit(key, language)
    return format_number(value, _count_decimals(value), language, diff)

-- Indicator family "county_forms": the indicators of the registry whose source_family is county_forms, per
-- county and the city per year, from the 11 county sub-centres' submissions (as known on the as_of var).
-- How each is read from a form is data (seeds/county_form_indicators.csv):
--   ratio: 100 * numerator figure / denominator figure; period_rule latest = the latest period of the year
--     the county has an accepted submission for (stock figures), sum = every period of the year (flows);
--     the city sums numerators and denominators over its counties with data.
--   count (ENV_INCIDENTS): the figure summed over the periods; the city only when all 11 counties reported.
--   share_of_counties (city only): 100 * counties whose flag is 1 / the 11 counties, when all 11 reported.
--   change_vs_2020 (HM_EMISSION_CHANGE): 100 * (emission of the year - emission of 2020) / emission of 2020
--     over the counties with both years.
-- COUNTY_REPORTING_COMPLETENESS / _TIMELINESS: received / expected, received by the deadline / expected
-- submissions whose period ends in the year (int_county_submissions_assessed).
-- Never zero-filled: no accepted submission -> no_county_submission; a zero denominator -> no_units_in_scope.

with

spine as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        spine.year,
        counties.area_level
    from {{ ref('int_indicator_periods_spined') }} as spine
    inner join {{ ref('counties') }} as counties on spine.area_code = counties.area_code
    where
        spine.indicator_code in (
            select listed.indicator_code from {{ ref('county_form_indicators') }} as listed
        )
        or spine.indicator_code in ('COUNTY_REPORTING_COMPLETENESS', 'COUNTY_REPORTING_TIMELINESS')

),

rules as (

    select
        indicator_code,
        form_code,
        numerator_field,
        denominator_field,
        period_rule,
        calc
    from {{ ref('county_form_indicators') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

county_total as (

    select count(*) as counties
    from {{ ref('counties') }}
    where area_level = 'county'

),

period_figures as (

    select
        rules.indicator_code,
        rules.period_rule,
        rules.calc,
        figures.county_code,
        figures.period_start,
        cast(extract(year from figures.period_start) as integer) as year,
        max(case when figures.figure_code = rules.numerator_field then figures.figure_value end) as numerator,
        max(case when figures.figure_code = rules.denominator_field then figures.figure_value end) as denominator,
        max(figures.received_at) as received_at,
        max(figures.load_id) as load_id
    from rules
    inner join {{ ref('int_county_figures_latest') }} as figures on rules.form_code = figures.form_code
    group by
        rules.indicator_code, rules.period_rule, rules.calc, figures.county_code, figures.period_start,
        cast(extract(year from figures.period_start) as integer)

),

ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, county_code, year order by period_start desc
        ) as recency
    from period_figures

),

county_years as (

    select
        indicator_code,
        calc,
        county_code,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        max(received_at) as as_of,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from ranked
    where period_rule = 'sum' or recency = 1
    group by indicator_code, calc, county_code, year

),

baseline as (

    select
        indicator_code,
        county_code,
        numerator as baseline
    from county_years
    where calc = 'change_vs_2020' and year = {{ var('plan_baseline_year') }}

),

area_years as (

    select
        areas.area_code,
        county_years.indicator_code,
        county_years.calc,
        county_years.year,
        count(*) as reporting_counties,
        sum(county_years.numerator) as numerator,
        sum(county_years.denominator) as denominator,
        sum(case when baseline.baseline is not null then county_years.numerator end) as compared_value,
        sum(baseline.baseline) as baseline,
        max(county_years.as_of) as as_of,
        {{ string_agg_distinct_sorted('county_years.load_ids', ',') }} as load_ids
    from county_years
    inner join areas on county_years.county_code = areas.county_code
    left join baseline
        on
            county_years.indicator_code = baseline.indicator_code
            and county_years.county_code = baseline.county_code
    group by areas.area_code, county_years.indicator_code, county_years.calc, county_years.year

),

reporting as (

    select
        areas.area_code,
        cast(extract(year from submissions.period_end) as integer) as year,
        count(*) as expected_count,
        sum(case when submissions.is_received then 1 else 0 end) as received_count,
        sum(case when submissions.on_time then 1 else 0 end) as on_time_count,
        max(submissions.reporting_cutoff) as as_of
    from {{ ref('int_county_submissions_assessed') }} as submissions
    inner join areas on submissions.county_code = areas.county_code
    group by areas.area_code, cast(extract(year from submissions.period_end) as integer)

),

reporting_loads as (

    select {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from {{ ref('stg_counties__files') }}

),

computed as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        area_years.calc,
        case
            when spine.indicator_code = 'COUNTY_REPORTING_COMPLETENESS' then reporting.received_count
            when spine.indicator_code = 'COUNTY_REPORTING_TIMELINESS' then reporting.on_time_count
            when area_years.calc = 'change_vs_2020' then area_years.compared_value
            else area_years.numerator
        end as numerator,
        case
            when spine.indicator_code like 'COUNTY_REPORTING_%' then reporting.expected_count
            when area_years.calc = 'share_of_counties' then county_total.counties
            when area_years.calc = 'change_vs_2020' then area_years.baseline
            when area_years.calc = 'count' then null
            else area_years.denominator
        end as denominator,
        case
            when spine.indicator_code like 'COUNTY_REPORTING_%'
                then case when coalesce(reporting.expected_count, 0) = 0 then 'no_expected_county_submission' end
            when area_years.indicator_code is null then 'no_county_submission'
            when
                area_years.calc in ('count', 'share_of_counties')
                and spine.area_level = 'city'
                and area_years.reporting_counties < county_total.counties
                then 'county_submissions_incomplete'
            when area_years.calc = 'change_vs_2020' and coalesce(area_years.baseline, 0) = 0
                then 'no_county_baseline_2020'
            when area_years.calc = 'ratio' and coalesce(area_years.denominator, 0) = 0 then 'no_units_in_scope'
        end as missing_reason_code,
        case when spine.indicator_code like 'COUNTY_REPORTING_%' then reporting.as_of else area_years.as_of end
            as as_of,
        case
            when spine.indicator_code like 'COUNTY_REPORTING_%' then reporting_loads.load_ids
            else area_years.load_ids
        end as load_ids
    from spine
    cross join county_total
    cross join reporting_loads
    left join area_years
        on
            spine.indicator_code = area_years.indicator_code
            and spine.area_code = area_years.area_code
            and spine.year = area_years.year
    left join reporting
        on
            spine.area_code = reporting.area_code
            and spine.year = reporting.year

)

select
    indicator_code,
    area_code,
    period_type,
    period_start,
    case
        when missing_reason_code is not null then null
        when calc = 'count' then numerator
        when calc = 'change_vs_2020' then {{ round_half_up('100.0 * (numerator - denominator) / denominator', 1) }}
        else {{ round_half_up('100.0 * numerator / denominator', 1) }}
    end as value,
    case when missing_reason_code is null then numerator end as numerator,
    case when missing_reason_code is null then denominator end as denominator,
    case when missing_reason_code is null then {{ method_version(['county_submissions']) }} end as method_version,
    case when missing_reason_code is null then cast(as_of as {{ type_timestamp() }}) end as as_of,
    case when missing_reason_code is null then load_ids end as load_ids,
    missing_reason_code
from computed

-- Indicator family "sources": pollution-source online monitoring (ingestion/sources/).
--
-- ONLINE_MONITORING_NETWORKED_RATE (%): outlets that sent at least one valid hourly value (flag N)
--   in the year / outlets required to be monitored (registry outlets required by the end of the year).
-- ONLINE_DATA_VALID_TRANSMISSION_RATE (%): valid hourly values / hourly values expected (24 x the
--   outlet's parameters for every day since it was networked; outages count as missing).
-- EMISSION_{COD,NH3N,NOX,VOCS}_CHANGE (%): (sum over outlets comparable with 2020 of the year's
--   annualised discharge - the same outlets' 2020 discharge) / their 2020 discharge x 100; see
--   fct_source_emissions_annual for the mean substitution of missing/invalid hours and comparability.
-- The city is the sum over its counties. NULL with a reason when an area has no outlet under online
-- monitoring (no_monitored_outlets), no data has landed (no_online_monitoring_data) or no outlet
-- is comparable with 2020 (no_comparable_outlets).
{%- set emissions = {
    'EMISSION_COD_CHANGE': 'w01018',
    'EMISSION_NH3N_CHANGE': 'w21003',
    'EMISSION_NOX_CHANGE': 'a21002',
    'EMISSION_VOCS_CHANGE': 'a24088',
} %}

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where
        indicator_code in (
            'ONLINE_MONITORING_NETWORKED_RATE', 'ONLINE_DATA_VALID_TRANSMISSION_RATE',
            'EMISSION_COD_CHANGE', 'EMISSION_NH3N_CHANGE', 'EMISSION_NOX_CHANGE', 'EMISSION_VOCS_CHANGE'
        )

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}

),

outlet_days as (

    select * from {{ ref('int_source_outlet_days_aggregated') }}

),

emissions as (

    select * from {{ ref('fct_source_emissions_annual') }}

),

as_of as (

    select
        max(data_date) as last_day,
        count(*) as outlet_days
    from outlet_days

),

lineage as (

    select {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from {{ ref('int_source_hourly_values_validated') }}

),

spine_years as (

    select distinct year from spine

),

pollutants as (
    {%- for code, pollutant in emissions.items() %}
    select '{{ pollutant }}' as pollutant_code
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

outlet_years as (

    select
        outlet_code,
        cast(extract(year from data_date) as integer) as year,
        sum(expected_values) as expected_values,
        sum(valid_values) as valid_values
    from outlet_days
    group by outlet_code, cast(extract(year from data_date) as integer)

),

required as (

    select
        areas.area_code,
        spine_years.year,
        count(*) as required_outlets,
        sum(case when outlet_years.valid_values > 0 then 1 else 0 end) as networked_outlets,
        sum(coalesce(outlet_years.expected_values, 0)) as expected_values,
        sum(coalesce(outlet_years.valid_values, 0)) as valid_values
    from outlets
    inner join areas on outlets.county_code = areas.county_code
    cross join spine_years
    left join outlet_years
        on
            outlets.outlet_code = outlet_years.outlet_code
            and spine_years.year = outlet_years.year
    where outlets.required_from <= {{ date_from_parts('spine_years.year', 12, 31) }}
    group by areas.area_code, spine_years.year

),

emission_areas as (

    select
        areas.area_code,
        emissions.pollutant_code,
        emissions.year,
        sum(emissions.annual_emission_t) as emission_t,
        sum(emissions.baseline_emission_t) as baseline_t
    from emissions
    inner join areas on emissions.county_code = areas.county_code
    where emissions.is_comparable
    group by areas.area_code, emissions.pollutant_code, emissions.year

),

monitored as (

    -- outlets whose registered parameters include the pollutant, per area
    select
        areas.area_code,
        pollutants.pollutant_code,
        count(*) as monitored_outlets
    from outlets
    inner join areas on outlets.county_code = areas.county_code
    inner join pollutants
        on outlets.parameter_codes like {{ concat(["'%'", 'pollutants.pollutant_code', "'%'"]) }}
    group by areas.area_code, pollutants.pollutant_code

),

measured as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        required.required_outlets,
        monitored.monitored_outlets,
        case
            when spine.indicator_code = 'ONLINE_MONITORING_NETWORKED_RATE' then required.networked_outlets
            when spine.indicator_code = 'ONLINE_DATA_VALID_TRANSMISSION_RATE' then required.valid_values
            else emission_areas.emission_t - emission_areas.baseline_t
        end as numerator,
        case
            when spine.indicator_code = 'ONLINE_MONITORING_NETWORKED_RATE' then required.required_outlets
            when spine.indicator_code = 'ONLINE_DATA_VALID_TRANSMISSION_RATE' then required.expected_values
            else emission_areas.baseline_t
        end as denominator
    from spine
    left join required
        on
            spine.area_code = required.area_code
            and spine.year = required.year
    left join emission_areas
        on
            spine.area_code = emission_areas.area_code
            and spine.year = emission_areas.year
            and emission_areas.pollutant_code = case spine.indicator_code
                {%- for code, pollutant in emissions.items() %}
                when '{{ code }}' then '{{ pollutant }}'
                {%- endfor %}
            end
    left join monitored
        on
            spine.area_code = monitored.area_code
            and monitored.pollutant_code = case spine.indicator_code
                {%- for code, pollutant in emissions.items() %}
                when '{{ code }}' then '{{ pollutant }}'
                {%- endfor %}
            end

),

final as (

    select
        measured.*,
        as_of.last_day,
        case
            when as_of.outlet_days = 0 then 'no_online_monitoring_data'
            when coalesce(measured.required_outlets, 0) = 0 then 'no_monitored_outlets'
            when measured.indicator_code like 'EMISSION%' and coalesce(measured.monitored_outlets, 0) = 0
                then 'no_monitored_outlets'
            when measured.indicator_code like 'EMISSION%' and coalesce(measured.denominator, 0) = 0
                then 'no_comparable_outlets'
            when coalesce(measured.denominator, 0) = 0 then 'no_online_monitoring_data'
        end as reason
    from measured
    cross join as_of

)

select
    final.indicator_code,
    final.area_code,
    final.period_type,
    final.period_start,
    case
        when final.reason is null then {{ round_half_up('100.0 * final.numerator / final.denominator', 1) }}
    end as value,
    case when final.reason is null then final.numerator end as numerator,
    case when final.reason is null then final.denominator end as denominator,
    case
        when final.reason is not null then null
        when final.indicator_code like 'EMISSION%'
            then {{ method_version(['hj212_data_flags', 'source_emission_totals']) }}
        else {{ method_version(['hj212_data_flags', 'source_data_validity']) }}
    end as method_version,
    case when final.reason is null then cast(final.last_day as {{ type_timestamp() }}) end as as_of,
    case when final.reason is null then lineage.load_ids end as load_ids,
    final.reason as missing_reason_code
from final
cross join lineage

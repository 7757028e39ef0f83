-- Annual discharge per outlet and pollutant from the hourly packets (never from simulator totals):
-- annual_emission_t = (emission of the valid hours, sum of -Cou in kg) / valid hours x hours of the
-- year / 1000. Missing and invalid hours (outage, flags M, C, D ...) are filled with the mean of the
-- valid hours (mean substitution); a year under way is annualised the same way (as of the last
-- landed day). An outlet-year is comparable with 2020 when both it and the outlet's 2020 have at
-- least 75% of the expected hours valid for the pollutant: the EMISSION_*_CHANGE indicators sum only
-- comparable outlets, so an outlet networked after 2020 or with a broken year does not move the trend.
{%- set baseline_year = var('plan_baseline_year') %}

with

validated as (

    select * from {{ ref('int_source_hourly_values_validated') }}
    where pollutant_code in ('w01018', 'w21003', 'a21002', 'a24088', 'a21026', 'a34013')

),

outlet_days as (

    select * from {{ ref('int_source_outlet_days_aggregated') }}

),

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}

),

expected as (

    select
        outlet_code,
        cast(extract(year from data_date) as integer) as year,
        sum(expected_hours) as expected_hours
    from outlet_days
    group by outlet_code, cast(extract(year from data_date) as integer)

),

measured as (

    select
        outlet_code,
        pollutant_code,
        cast(extract(year from data_date) as integer) as year,
        sum(case when is_valid then 1 else 0 end) as valid_hours,
        sum(case when is_valid then cou_value else 0 end) as valid_emission_kg,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from validated
    group by outlet_code, pollutant_code, cast(extract(year from data_date) as integer)

),

annual as (

    select
        measured.outlet_code,
        measured.pollutant_code,
        measured.year,
        expected.expected_hours,
        measured.valid_hours,
        measured.valid_emission_kg,
        measured.load_ids,
        {{ datediff(date_from_parts('measured.year', 1, 1), date_from_parts('measured.year + 1', 1, 1), 'day') }}
        * 24 as hours_in_year,
        case
            when expected.expected_hours > 0 then 1.0 * measured.valid_hours / expected.expected_hours
        end as valid_share
    from measured
    inner join expected
        on
            measured.outlet_code = expected.outlet_code
            and measured.year = expected.year

),

estimated as (

    select
        annual.*,
        case
            when annual.valid_hours > 0
                then annual.valid_emission_kg / annual.valid_hours * annual.hours_in_year / 1000.0
        end as annual_emission_t
    from annual

)

select
    estimated.outlet_code,
    outlets.enterprise_key,
    outlets.enterprise_name,
    outlets.county_code,
    outlets.county_name_zh,
    estimated.pollutant_code,
    estimated.year,
    estimated.expected_hours,
    estimated.valid_hours,
    estimated.valid_share,
    estimated.valid_emission_kg,
    estimated.annual_emission_t,
    baseline.annual_emission_t as baseline_emission_t,
    estimated.load_ids,
    coalesce(estimated.valid_share >= 0.75 and baseline.valid_share >= 0.75, false) as is_comparable
from estimated
inner join outlets on estimated.outlet_code = outlets.outlet_code
left join estimated as baseline
    on
        estimated.outlet_code = baseline.outlet_code
        and estimated.pollutant_code = baseline.pollutant_code
        and baseline.year = {{ baseline_year }}

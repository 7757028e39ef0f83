-- Hours over the permitted limit per outlet, parameter and day: valid hourly values (flag N) above
-- the upper limit or below the lower limit (pH 6-9) of the outlet's permit (source_limits, with the
-- emission standard each limit comes from). Only days with at least one valid value are rows.

with

validated as (

    select * from {{ ref('int_source_hourly_values_validated') }}
    where not is_flow

),

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}

),

limits as (

    select * from {{ ref('stg_sources__limits') }}

),

daily as (

    select
        outlet_code,
        mn,
        pollutant_code,
        data_date,
        sum(case when is_valid then 1 else 0 end) as valid_hours,
        sum(case when is_over_limit then 1 else 0 end) as hours_over_limit,
        max(case when is_valid then avg_value end) as max_value
    from validated
    group by outlet_code, mn, pollutant_code, data_date

)

select
    daily.outlet_code,
    outlets.enterprise_key,
    outlets.enterprise_name,
    outlets.county_code,
    outlets.county_name_zh,
    daily.pollutant_code,
    limits.pollutant_name_zh,
    daily.data_date,
    daily.valid_hours,
    daily.hours_over_limit,
    daily.max_value,
    limits.lower_limit,
    limits.upper_limit,
    limits.unit,
    limits.standard,
    limits.is_assumed as limit_is_assumed
from daily
inner join outlets on daily.outlet_code = outlets.outlet_code
left join limits
    on
        daily.mn = limits.mn
        and daily.pollutant_code = limits.pollutant_code
where daily.valid_hours > 0

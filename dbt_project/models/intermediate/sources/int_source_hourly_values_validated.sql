-- Hourly values of every outlet with validity and limit status. A value is valid when its HJ 212
-- data flag is N and it is a number (HJ 212-2017; HJ 75-2017 counts only normal-state data as valid).
-- Concentrations are compared with the outlet's permitted limit: over the limit when above the upper
-- limit, or below the lower limit (pH 6-9). Flow rows (a00000, w00000) carry no limit.
-- Incremental by day (macros/incremental.sql): each value is judged on its own.
{{ config(**incremental_config(
    day='data_date', input='stg_sources__hourly_values', input_day='cast(data_time as date)',
    dimensions={
        'int_source_outlets_listed': ['mn', 'outlet_code', 'enterprise_key', 'county_code'],
        'stg_sources__limits': ['mn', 'pollutant_code', 'lower_limit', 'upper_limit']
    }
)) }}
{%- set days = incremental_days() %}

with

hourly as (

    select * from {{ ref('stg_sources__hourly_values') }}
    where {{ day_filter('cast(data_time as date)', days) }}

),

outlets as (

    select
        mn,
        outlet_code,
        enterprise_key,
        county_code
    from {{ ref('int_source_outlets_listed') }}

),

limits as (

    select
        mn,
        pollutant_code,
        lower_limit,
        upper_limit
    from {{ ref('stg_sources__limits') }}

)

select
    outlets.outlet_code,
    outlets.enterprise_key,
    outlets.county_code,
    hourly.mn,
    hourly.data_time,
    hourly.pollutant_code,
    hourly.avg_value,
    hourly.cou_value,
    hourly.flag,
    limits.lower_limit,
    limits.upper_limit,
    hourly.load_id,
    cast(hourly.data_time as date) as data_date,
    hourly.pollutant_code in ('a00000', 'w00000') as is_flow,
    coalesce(hourly.flag = 'N' and hourly.avg_value is not null, false) as is_valid,
    coalesce(
        hourly.flag = 'N'
        and (hourly.avg_value > limits.upper_limit or hourly.avg_value < limits.lower_limit),
        false
    ) as is_over_limit
from hourly
inner join outlets on hourly.mn = outlets.mn
left join limits
    on
        hourly.mn = limits.mn
        and hourly.pollutant_code = limits.pollutant_code

{#- HJ 663-2013 annual validity: valid days in the year, per month, and in February. -#}
{%- set min_days_year = 324 -%}
{%- set min_days_month = 27 -%}
{%- set min_days_february = 25 -%}
{%- set concentration_statistics = [
    'pm2_5_mean', 'pm2_5_p95', 'pm10_mean', 'pm10_p95', 'so2_mean', 'so2_p98', 'no2_mean', 'no2_p98',
    'co_p95', 'o3_8h_p90',
] -%}

-- Annual statistics from the area's published (rounded) daily values, so that they can be
-- re-derived from fct_air_daily_area; results rounded to reporting precision.

with

area_days as (

    select
        area_code,
        cast(extract(year from date) as integer) as year,
        cast(extract(month from date) as integer) as month,
        pm2_5,
        pm10,
        so2,
        no2,
        co,
        o3_8h_max,
        aqi
    from {{ ref('int_air_area_days_aggregated') }}

),

months as (

    select
        area_code,
        year,
        month,
        count(aqi) as valid_days
    from area_days
    group by area_code, year, month

),

validity as (

    select
        area_code,
        year,
        sum(valid_days) as valid_days,
        sum(
            case
                when valid_days >= case when month = 2 then {{ min_days_february }} else {{ min_days_month }} end
                    then 1
                else 0
            end
        ) as complete_months
    from months
    group by area_code, year

),

annual_statistics as (

    select
        area_code,
        year,
        avg(pm2_5) as pm2_5_mean,
        {{ percentile_cont('pm2_5', 0.95) }} as pm2_5_p95,
        avg(pm10) as pm10_mean,
        {{ percentile_cont('pm10', 0.95) }} as pm10_p95,
        avg(so2) as so2_mean,
        {{ percentile_cont('so2', 0.98) }} as so2_p98,
        avg(no2) as no2_mean,
        {{ percentile_cont('no2', 0.98) }} as no2_p98,
        {{ percentile_cont('co', 0.95) }} as co_p95,
        {{ percentile_cont('o3_8h_max', 0.90) }} as o3_8h_p90,
        count(case when aqi <= 100 then 1 end) as good_days,
        count(case when aqi > 200 then 1 end) as heavy_pollution_days
    from area_days
    group by area_code, year

),

final as (

    select
        annual_statistics.area_code,
        annual_statistics.year,
        validity.valid_days,
        {% for column in concentration_statistics %}
        {{ round_half_up('annual_statistics.' ~ column, air_reporting_scale(column)) }} as {{ column }},
        {% endfor %}
        annual_statistics.good_days,
        {{ round_half_up(
            'cast(annual_statistics.good_days as ' ~ type_double() ~ ') * 100 / nullif(validity.valid_days, 0)', 1
        ) }} as good_days_ratio,
        annual_statistics.heavy_pollution_days,
        (
            validity.valid_days >= {{ min_days_year }}
            and validity.complete_months = 12
        ) as is_valid_year

    from annual_statistics
    inner join validity
        on
            annual_statistics.area_code = validity.area_code
            and annual_statistics.year = validity.year

)

select * from final

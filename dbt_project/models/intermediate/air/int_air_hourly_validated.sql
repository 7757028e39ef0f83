{{ config(**incremental_config(
    day='date', input='stg_monitoring__air_hourly', input_day='cast(data_time as date)',
    dimensions={'stg_monitoring__air_stations': ['mn', 'station_code', 'county_code']}
)) }}
{%- set pollutants = ['so2', 'no2', 'co', 'o3', 'pm10', 'pm2_5'] -%}
-- Incremental by day (macros/incremental.sql): a station-hour's packets all have its data_time's day.
{%- set days = incremental_days() %}

with

hourly as (

    select
        {% for pollutant in pollutants %}
        {{ pollutant }},
        {{ pollutant }}_flag,
        {% endfor %}
        load_id,
        line_no,
        cn,
        mn,
        data_time
    from {{ ref('stg_monitoring__air_hourly') }}
    where {{ day_filter('cast(data_time as date)', days) }}

),

stations as (

    select
        station_code,
        mn
    from {{ ref('stg_monitoring__air_stations') }}

),

loads as (

    select
        load_id,
        max(finished_at) as load_finished_at
    from {{ ref('stg_ops__load_log') }}
    group by load_id

),

-- A station-hour resubmitted in a later load replaces the earlier one.
ranked as (

    select
        hourly.*,
        row_number() over (
            partition by hourly.mn, hourly.data_time
            order by loads.load_finished_at desc nulls last, hourly.load_id desc, hourly.line_no desc
        ) as load_rank
    from hourly
    left join loads on hourly.load_id = loads.load_id

),

-- HJ 212-2017: only a value flagged N (normal) is valid data.
validated as (

    select
        stations.station_code,
        ranked.mn,
        ranked.data_time,
        cast(ranked.data_time as date) as date,
        {{ hour_of_day('ranked.data_time') }} as hour_of_day,
        {% for pollutant in pollutants %}
        case when ranked.{{ pollutant }}_flag = 'N' then ranked.{{ pollutant }} end as {{ pollutant }},
        {% endfor %}
        {% for pollutant in pollutants %}
        ranked.{{ pollutant }} as {{ pollutant }}_as_sent,
        ranked.{{ pollutant }}_flag,
        {% endfor %}
        ranked.cn,
        ranked.load_id

    from ranked
    inner join stations on ranked.mn = stations.mn
    where ranked.load_rank = 1

)

select * from validated

{#- HJ 663-2013 data validity for daily statistics. -#}
{%- set min_hours_daily = 20 -%}
{%- set min_hours_8h = 6 -%}
{%- set min_windows_8h = 14 -%}
{%- set daily_mean_pollutants = ['so2', 'no2', 'co', 'pm10', 'pm2_5'] -%}
-- Incremental by day (macros/incremental.sql): a day's figures use that day's hours only, but a flatline can
-- cross midnight, so the days either side of a changed day are rebuilt with it.
{{ config(**incremental_config(
    day='date', input='int_air_hourly_validated', input_day='date', neighbours=1
)) }}
{%- set days = incremental_days() %}

with

hours as (

    -- validated values only: flag N, and PM2.5 not part of a flatline (int_air_pm25_flatlines)
    select
        hourly.station_code,
        hourly.date,
        hourly.hour_of_day,
        hourly.so2,
        hourly.no2,
        hourly.co,
        hourly.o3,
        hourly.pm10,
        case when flatlines.station_code is null then hourly.pm2_5 end as pm2_5
    from {{ ref('int_air_hourly_validated') }} as hourly
    left join {{ ref('int_air_pm25_flatlines') }} as flatlines
        on
            hourly.station_code = flatlines.station_code
            and hourly.data_time = flatlines.data_time
    where {{ day_filter('hourly.date', days) }}

),

daily as (

    select
        station_code,
        date,
        {% for pollutant in daily_mean_pollutants %}
        count({{ pollutant }}) as {{ pollutant }}_valid_hours,
        case when count({{ pollutant }}) >= {{ min_hours_daily }} then avg({{ pollutant }}) end as {{ pollutant }},
        {% endfor %}
        count(o3) as o3_valid_hours,
        -- choice: the daily max 1h O3 needs as many valid hours as a daily mean
        case when count(o3) >= {{ min_hours_daily }} then max(o3) end as o3_1h_max
    from hours
    group by station_code, date

),

-- The 8h moving means of a day are those whose window ends at 07:00 .. 23:00 (hour starts 7..23),
-- i.e. covers hours end_hour - 7 .. end_hour of the same day: 17 values.
window_ends as (

    select {{ explode_integer_range(7, 23) }} as end_hour

),

o3_8h_windows as (

    select
        hours.station_code,
        hours.date,
        window_ends.end_hour,
        count(hours.o3) as valid_hours,
        avg(hours.o3) as o3_8h
    from hours
    inner join window_ends
        on hours.hour_of_day between window_ends.end_hour - 7 and window_ends.end_hour
    where hours.o3 is not null
    group by hours.station_code, hours.date, window_ends.end_hour

),

o3_8h_daily as (

    select
        station_code,
        date,
        count(case when valid_hours >= {{ min_hours_8h }} then 1 end) as o3_8h_valid_windows,
        max(case when valid_hours >= {{ min_hours_8h }} then o3_8h end) as o3_8h_max
    from o3_8h_windows
    group by station_code, date

),

final as (

    select
        daily.station_code,
        daily.date,
        {% for pollutant in daily_mean_pollutants %}
        daily.{{ pollutant }},
        daily.{{ pollutant }}_valid_hours,
        {% endfor %}
        daily.o3_1h_max,
        daily.o3_valid_hours,
        case
            when o3_8h_daily.o3_8h_valid_windows >= {{ min_windows_8h }} then o3_8h_daily.o3_8h_max
        end as o3_8h_max,
        coalesce(o3_8h_daily.o3_8h_valid_windows, 0) as o3_8h_valid_windows

    from daily
    left join o3_8h_daily
        on
            daily.station_code = o3_8h_daily.station_code
            and daily.date = o3_8h_daily.date

)

select * from final

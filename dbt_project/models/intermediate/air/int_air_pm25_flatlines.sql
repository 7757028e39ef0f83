-- Flatline rule: PM2.5 identical (flag N) for at least 6 consecutive hours of a station. Consecutive
-- hours with the same value share (hour number - row number within the station and value).
{% set min_hours = 6 %}

with

valid as (

    select
        station_code,
        data_time,
        pm2_5,
        {{ datediff("cast('2000-01-01' as timestamp)", 'data_time', 'hour') }} as hour_number
    from {{ ref('int_air_hourly_validated') }}
    where pm2_5 is not null

),

islands as (

    select
        station_code,
        data_time,
        pm2_5,
        hour_number - row_number() over (
            partition by station_code, pm2_5
            order by data_time
        ) as island
    from valid

),

runs as (

    select
        station_code,
        data_time,
        pm2_5,
        count(*) over (partition by station_code, pm2_5, island) as run_hours,
        min(data_time) over (partition by station_code, pm2_5, island) as run_start
    from islands

)

select
    station_code,
    data_time,
    pm2_5,
    run_start,
    run_hours
from runs
where run_hours >= {{ min_hours }}

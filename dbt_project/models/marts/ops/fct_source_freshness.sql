-- Freshness of every source against its expected cadence (seed source_cadence), as of the build
-- (var as_of, default now in local time): air hourly per county (latest data_time of the county's stations),
-- the other sources from the load log (latest load). Sources not yet connected: status 未接入.
{% set as_of = var('as_of', none) %}
{% set as_of_sql = "cast('" ~ as_of ~ "' as timestamp)" if as_of else local_now() %}
{% set load_clock_sql = "cast('" ~ as_of ~ "' as timestamp)" if as_of else 'cast(current_timestamp as timestamp)' %}
with

cadence as (

    select * from {{ ref('source_cadence') }}

),

as_of as (

    -- load_log times are the ingestion machine's clock, not China time: they are compared with that clock
    select
        {{ as_of_sql }} as as_of,
        {{ load_clock_sql }} as load_clock

),

stations as (

    select * from {{ ref('stg_monitoring__air_stations') }}

),

air_by_county as (

    select
        'monitoring.hj212.air' as source,
        stations.county_code,
        max(hourly.data_time) as last_data_time
    from {{ ref('stg_monitoring__air_hourly') }} as hourly
    inner join stations
        on hourly.mn = stations.mn
    group by stations.county_code

),

loads as (

    select
        cadence.source,
        max(load_log.finished_at) as last_loaded_at
    from {{ ref('stg_ops__load_log') }} as load_log
    inner join cadence
        on
            load_log.source_name = cadence.source
            or load_log.source_name like cadence.source || '.%'
    group by cadence.source

),

per_source as (

    select
        cadence.source,
        air_by_county.county_code,
        air_by_county.last_data_time
    from cadence
    left join air_by_county
        on cadence.source = air_by_county.source

),

measured as (

    select
        per_source.source,
        cadence.source_name_zh,
        cadence.cadence,
        cadence.max_lag_hours,
        cadence.is_connected,
        per_source.county_code,
        per_source.last_data_time,
        loads.last_loaded_at,
        as_of.as_of,
        case
            when per_source.last_data_time is not null
                then {{ hours_between('per_source.last_data_time', 'as_of.as_of') }}
            else {{ hours_between('loads.last_loaded_at', 'as_of.load_clock') }}
        end as lag_hours
    from per_source
    inner join cadence
        on per_source.source = cadence.source
    left join loads
        on per_source.source = loads.source
    cross join as_of

)

select
    cast(source as {{ type_string() }}) as source,
    cast(source_name_zh as {{ type_string() }}) as source_name_zh,
    cast(cadence as {{ type_string() }}) as cadence,
    cast(county_code as {{ type_string() }}) as county_code,
    cast(last_data_time as {{ type_timestamp() }}) as last_data_time,
    cast(last_loaded_at as {{ type_timestamp() }}) as last_loaded_at,
    cast(as_of as {{ type_timestamp() }}) as as_of,
    cast(max_lag_hours as integer) as max_lag_hours,
    cast(round(lag_hours, 1) as {{ type_double() }}) as lag_hours,
    cast(
        coalesce(is_connected and max_lag_hours is not null and lag_hours > max_lag_hours, false)
        as {{ type_boolean() }}
    ) as is_late,
    cast(case
        when not is_connected or lag_hours is null then '未接入'
        when max_lag_hours is not null and lag_hours > max_lag_hours then '迟到'
        else '正常'
    end as {{ type_string() }}) as status
from measured

-- Freshness of every source against its expected cadence (seed source_cadence), as of the build
-- (var as_of, default now in local time). Per county where the data says which county it is from: the HJ 212
-- networks (latest data_time of the county's air stations, water stations and pollution-source devices) and the
-- county form uploads (latest received_at of an accepted file); the other sources city-wide (county_code NULL)
-- from the load log (latest load). Sources not yet connected: status 未接入. The dashboards show the data's
-- as-of time (数据截至) from here.
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

water_stations as (

    select * from {{ ref('stg_monitoring__water_stations') }}

),

source_devices as (

    select distinct
        mn,
        county_code
    from {{ ref('stg_sources__devices') }}

),

county_list as (

    select area_code as county_code from {{ ref('counties') }}
    where area_level = 'county'

),

-- per county: every county with a station or device registered (or, for the uploads, every county) has a row,
-- NULL last_data_time when nothing has arrived from it; a county with nothing registered has no row
by_county as (

    select
        'monitoring.hj212.air' as source,
        stations.county_code,
        max(hourly.data_time) as last_data_time
    from stations
    left join {{ ref('stg_monitoring__air_hourly') }} as hourly
        on stations.mn = hourly.mn
    group by stations.county_code

    union all

    select
        'monitoring.hj212.water' as source,
        water_stations.county_code,
        max(auto_values.data_time) as last_data_time
    from water_stations
    left join {{ ref('stg_monitoring__water_auto_values') }} as auto_values
        on water_stations.mn = auto_values.mn
    group by water_stations.county_code

    union all

    select
        'monitoring.hj212.sources' as source,
        source_devices.county_code,
        max(hourly.data_time) as last_data_time
    from source_devices
    left join {{ ref('stg_sources__hourly_values') }} as hourly
        on source_devices.mn = hourly.mn
    group by source_devices.county_code

    union all

    select
        'counties.submissions' as source,
        county_list.county_code,
        max(files.received_at) as last_data_time
    from county_list
    left join {{ ref('stg_counties__files') }} as files
        on
            county_list.county_code = files.county_code
            and files.outcome = 'accepted'
    group by county_list.county_code

    union all

    -- city-wide results with their own time column (seed time_column): the newest sample or measurement
    select
        'monitoring.lab.soil' as source,
        cast(null as {{ type_string() }}) as county_code,
        max(cast(sampled_on as {{ type_timestamp() }})) as last_data_time
    from {{ ref('stg_lab__soil_results') }}

    union all

    select
        'monitoring.lab.noise' as source,
        cast(null as {{ type_string() }}) as county_code,
        max(cast(measured_on as {{ type_timestamp() }})) as last_data_time
    from {{ ref('stg_lab__noise_results') }}

    union all

    select
        'monitoring.lab.water' as source,
        cast(null as {{ type_string() }}) as county_code,
        max(cast(sample_date as {{ type_timestamp() }})) as last_data_time
    from {{ ref('stg_monitoring__water_lab_results') }}

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
        by_county.county_code,
        by_county.last_data_time,
        by_county.source is not null as has_data_time
    from cadence
    left join by_county
        on cadence.source = by_county.source

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
        -- a source measured by its data time is late by its data, never by a load that brought nothing
        case
            when per_source.has_data_time
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
        when not is_connected then '未接入'
        when lag_hours is null then '无数据'
        when max_lag_hours is not null and lag_hours > max_lag_hours then '迟到'
        else '正常'
    end as {{ type_string() }}) as status
from measured

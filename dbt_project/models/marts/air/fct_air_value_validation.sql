-- Validation status of every air value kept (latest packet per station-hour), one row per pollutant:
-- raw (real-time CN=2011, not yet reviewed) / validated (flag N, passes the checks) / invalidated
-- (a non-N flag with its meaning, or the PM2.5 flatline rule). Official indicators use validated only.
-- Incremental by day (macros/incremental.sql); a flatline can cross midnight, so the days either side
-- of a changed day are rebuilt with it.
{{ config(**incremental_config(
    day='cast(data_time as date)', input='int_air_hourly_validated', input_day='date',
    dimensions={'hj212_flags': ['flag', 'flag_zh']}, neighbours=1
)) }}
{% set pollutants = ['so2', 'no2', 'co', 'o3', 'pm10', 'pm2_5'] %}
{%- set days = incremental_days() %}

with

hourly as (

    select * from {{ ref('int_air_hourly_validated') }}
    where {{ day_filter('date', days) }}

),

flatlines as (

    select * from {{ ref('int_air_pm25_flatlines') }}
    where {{ day_filter('cast(data_time as date)', days) }}

),

flags as (

    select * from {{ ref('hj212_flags') }}

),

long_values as (

    {% for pollutant in pollutants %}
    select
        station_code,
        data_time,
        cn,
        '{{ pollutant }}' as pollutant,
        {{ pollutant }}_as_sent as value_as_sent,
        {{ pollutant }}_flag as flag
    from hourly
    where {{ pollutant }}_flag is not null or {{ pollutant }}_as_sent is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    cast(long_values.station_code as {{ type_string() }}) as station_code,
    cast(long_values.data_time as {{ type_timestamp() }}) as data_time,
    cast(long_values.pollutant as {{ type_string() }}) as pollutant,
    cast(long_values.value_as_sent as {{ type_double() }}) as value_as_sent,
    cast(long_values.flag as {{ type_string() }}) as flag,
    cast(case
        when long_values.cn = '2011' then 'raw'
        when long_values.flag != 'N' or long_values.flag is null or flatlines.station_code is not null
            then 'invalidated'
        else 'validated'
    end as {{ type_string() }}) as validation_status,
    cast(case
        when long_values.cn = '2011' then null
        when long_values.flag is null then 'missing flag'
        when long_values.flag != 'N' then long_values.flag || ' ' || coalesce(flags.flag_zh, '未知标记')
        when flatlines.station_code is not null then 'flatline'
    end as {{ type_string() }}) as invalidation_reason
from long_values
left join flags
    on long_values.flag = flags.flag
left join flatlines
    on
        long_values.pollutant = 'pm2_5'
        and long_values.station_code = flatlines.station_code
        and long_values.data_time = flatlines.data_time

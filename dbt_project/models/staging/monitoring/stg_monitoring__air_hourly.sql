{%- set pollutants = ['so2', 'no2', 'co', 'o3', 'pm10', 'pm2_5'] -%}

with

source as (

    select * from {{ source('monitoring', 'air_hourly') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(qn as {{ type_string() }}) as qn,
        cast(mn as {{ type_string() }}) as mn,
        cast(cn as {{ type_string() }}) as cn,
        cast(data_time as {{ type_timestamp() }}) as data_time,
        {% for pollutant in pollutants %}
        cast({{ pollutant }} as {{ type_double() }}) as {{ pollutant }},
        cast({{ pollutant }}_flag as {{ type_string() }}) as {{ pollutant }}_flag,
        {% endfor %}
        cast(date as date) as partition_date

    from source

)

-- As known on the as_of var (macros/as_of.sql): a value timestamped after it cannot have arrived by then
-- (the load log only has the wall clock of the run, so the data time is the cut).
select * from renamed
where {{ known_as_of('data_time') }}

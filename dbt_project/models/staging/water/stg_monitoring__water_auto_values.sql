-- Automatic-station packets as landed: one row per station and 4-hour value set (flags kept).
with

source as (

    select * from {{ source('monitoring', 'water_auto') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(mn as {{ type_string() }}) as mn,
        cast(station_code as {{ type_string() }}) as station_code,
        cast(section_code as {{ type_string() }}) as section_code,
        cast(data_time as {{ type_timestamp() }}) as data_time,
        cast(ph as {{ type_double() }}) as ph,
        cast(ph_flag as {{ type_string() }}) as ph_flag,
        cast(dissolved_oxygen as {{ type_double() }}) as dissolved_oxygen,
        cast(dissolved_oxygen_flag as {{ type_string() }}) as dissolved_oxygen_flag,
        cast(codmn as {{ type_double() }}) as codmn,
        cast(codmn_flag as {{ type_string() }}) as codmn_flag,
        cast(nh3n as {{ type_double() }}) as nh3n,
        cast(nh3n_flag as {{ type_string() }}) as nh3n_flag,
        cast(tp as {{ type_double() }}) as tp,
        cast(tp_flag as {{ type_string() }}) as tp_flag,
        cast(tn as {{ type_double() }}) as tn,
        cast(tn_flag as {{ type_string() }}) as tn_flag,
        cast(date as date) as partition_date

    from source

)

-- As known on the as_of var (macros/as_of.sql): a value timestamped after it cannot have arrived by then
-- (the load log only has the wall clock of the run, so the data's own time is the cut).
select * from renamed
where {{ known_as_of('data_time') }}

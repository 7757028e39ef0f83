with

source as (

    select * from {{ source('online_monitoring', 'source_daily') }}

),

renamed as (

    select
        cast(mn as {{ type_string() }}) as mn,
        cast(st as {{ type_string() }}) as st,
        cast(cn as {{ type_string() }}) as cn,
        cast(data_time as {{ type_timestamp() }}) as data_time,
        cast(pollutant_code as {{ type_string() }}) as pollutant_code,
        cast(avg_value as {{ type_double() }}) as avg_value,
        cast(cou_value as {{ type_double() }}) as cou_value,
        cast(flag as {{ type_string() }}) as flag,
        cast(qn as {{ type_string() }}) as qn,
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(date as date) as partition_date

    from source

)

-- As known on the as_of var (macros/as_of.sql): a value timestamped after it cannot have arrived by then
-- (the load log only has the wall clock of the run, so the data's own time is the cut).
select * from renamed
where {{ known_as_of('data_time') }}

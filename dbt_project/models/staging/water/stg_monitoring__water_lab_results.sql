-- Lab results as landed: one row per sample (section, sampling day) and parameter, in mg/L
-- (pH dimensionless); below the detection limit the value is half the limit (ingestion/water/loader.py).
with

source as (

    select * from {{ source('monitoring', 'water_lab') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(section_code as {{ type_string() }}) as section_code,
        cast(sample_date as date) as sample_date,
        cast(parameter as {{ type_string() }}) as parameter,
        cast(value as {{ type_double() }}) as value,
        cast(value_text as {{ type_string() }}) as value_text,
        cast(unit as {{ type_string() }}) as unit,
        cast(below_detection_limit as {{ type_boolean() }}) as below_detection_limit,
        cast(detection_limit as {{ type_double() }}) as detection_limit

    from source

)

-- As known on the as_of var (macros/as_of.sql): a sample taken after it cannot have arrived by then
-- (the load log only has the wall clock of the run, so the data's own time is the cut).
select * from renamed
where {{ known_as_of('sample_date') }}

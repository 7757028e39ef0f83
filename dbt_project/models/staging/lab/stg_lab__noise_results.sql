with

source as (

    select * from {{ source('lab', 'noise_results') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(sheet as {{ type_string() }}) as sheet,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(point_code as {{ type_string() }}) as point_code,
        cast(point_name as {{ type_string() }}) as point_name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(zone_class as {{ type_string() }}) as zone_class,
        cast(measured_on as date) as measured_on,
        cast(leq_day_db as {{ type_double() }}) as leq_day_db,
        cast(leq_night_db as {{ type_double() }}) as leq_night_db,
        cast(quarter as {{ type_string() }}) as delivery_quarter

    from source

)

-- As known on the as_of var (macros/as_of.sql): a measurement made after it cannot have arrived by then
-- (the lab files carry no receipt time, so the measurement date is the cut).
select * from renamed
where {{ known_as_of('measured_on') }}

with

source as (

    select * from {{ source('lab', 'soil_points') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(year as {{ type_bigint() }}) as year,
        cast(point_code as {{ type_string() }}) as point_code,
        cast(point_name as {{ type_string() }}) as point_name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(point_type as {{ type_string() }}) as point_type,
        cast(land_use as {{ type_string() }}) as land_use,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(latitude as {{ type_double() }}) as latitude

    from source

)

select * from renamed

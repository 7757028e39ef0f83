with

source as (

    select * from {{ source('monitoring', 'air_stations') }}

),

renamed as (

    select
        cast(station_code as {{ type_string() }}) as station_code,
        cast(station_name_zh as {{ type_string() }}) as station_name_zh,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(mn as {{ type_string() }}) as mn,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(latitude as {{ type_double() }}) as latitude,
        cast(is_city_assessment as {{ type_boolean() }}) as is_city_assessment,
        cast(commissioned_on as date) as commissioned_on

    from source

)

select * from renamed

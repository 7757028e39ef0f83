with

source as (

    select * from {{ source('monitoring', 'water_stations') }}

),

renamed as (

    select
        cast(station_code as {{ type_string() }}) as station_code,
        cast(station_name_zh as {{ type_string() }}) as station_name_zh,
        cast(section_code as {{ type_string() }}) as section_code,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(mn as {{ type_string() }}) as mn,
        cast(commissioned_on as date) as commissioned_on

    from source

)

select * from renamed

with

source as (

    select * from {{ source('monitoring', 'water_sections') }}

),

renamed as (

    select
        cast(section_code as {{ type_string() }}) as section_code,
        cast(section_name_zh as {{ type_string() }}) as section_name_zh,
        cast(river_zh as {{ type_string() }}) as river_zh,
        cast(water_body as {{ type_string() }}) as water_body,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(level as {{ type_string() }}) as section_level,
        cast(is_assessment_section as {{ type_boolean() }}) as is_assessment_section,
        cast(is_county_boundary as {{ type_boolean() }}) as is_county_boundary,
        cast(is_out_of_province as {{ type_boolean() }}) as is_out_of_province,
        cast(is_drinking_source as {{ type_boolean() }}) as is_drinking_source,
        cast(target_class as integer) as target_class,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(latitude as {{ type_double() }}) as latitude

    from source

)

select * from renamed

with

source as (

    select * from {{ source('online_monitoring', 'source_limits') }}

),

renamed as (

    select
        cast(outlet_code as {{ type_string() }}) as outlet_code,
        cast(mn as {{ type_string() }}) as mn,
        cast(pollutant_code as {{ type_string() }}) as pollutant_code,
        cast(pollutant_name_zh as {{ type_string() }}) as pollutant_name_zh,
        cast(lower_limit as {{ type_double() }}) as lower_limit,
        cast(upper_limit as {{ type_double() }}) as upper_limit,
        cast(unit as {{ type_string() }}) as unit,
        cast(standard as {{ type_string() }}) as standard,
        cast(clause as {{ type_string() }}) as clause,
        cast(assumed as {{ type_boolean() }}) as is_assumed,
        cast(load_id as {{ type_string() }}) as load_id

    from source

)

select * from renamed

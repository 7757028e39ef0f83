with

source as (

    select * from {{ source('quality', 'results') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(dataset as {{ type_string() }}) as dataset,
        cast(partition_key as {{ type_string() }}) as partition_key,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(rule as {{ type_string() }}) as rule,
        cast(columns as {{ type_string() }}) as checked_columns,
        cast(expectation_type as {{ type_string() }}) as expectation_type,
        cast(severity as {{ type_string() }}) as severity,
        cast(success as {{ type_boolean() }}) as success,
        cast(element_count as {{ type_bigint() }}) as element_count,
        cast(unexpected_count as {{ type_bigint() }}) as unexpected_count,
        cast(accepted as {{ type_boolean() }}) as accepted,
        cast(message as {{ type_string() }}) as message,
        cast(checked_at as {{ type_timestamp() }}) as checked_at

    from source

)

select * from renamed

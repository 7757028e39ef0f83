with

source as (

    select * from {{ source('ops', 'load_log') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source as {{ type_string() }}) as source_name,
        cast(partition as {{ type_string() }}) as partition_key,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(received as {{ type_bigint() }}) as received_count,
        cast(loaded as {{ type_bigint() }}) as loaded_count,
        cast(quarantined as {{ type_bigint() }}) as quarantined_count,
        cast(duplicates as {{ type_bigint() }}) as duplicate_count,
        cast(started_at as {{ type_timestamp() }}) as started_at,
        cast(finished_at as {{ type_timestamp() }}) as finished_at

    from source

)

select * from renamed

-- Every version of every general_isw record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'general_isw') }}

),

renamed as (

    select
        cast(record_key as {{ type_string() }}) as record_key,
        cast(updated_at as {{ type_timestamp() }}) as updated_at,
        cast(fetched_at as {{ type_timestamp() }}) as fetched_at,
        cast(load_id as {{ type_string() }}) as load_id,
        cast(page_file as {{ type_string() }}) as page_file,
        cast(generator_key as {{ type_string() }}) as generator_key,
        cast(year as integer) as year,
        cast(generated_t as {{ type_double() }}) as generated_t,
        cast(utilised_t as {{ type_double() }}) as utilised_t,
        cast(utilised_from_storage_t as {{ type_double() }}) as utilised_from_storage_t,
        cast(disposed_t as {{ type_double() }}) as disposed_t,
        cast(stored_t as {{ type_double() }}) as stored_t
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

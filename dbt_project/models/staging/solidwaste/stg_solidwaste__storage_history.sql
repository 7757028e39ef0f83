-- Every version of every storage record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'storage') }}

),

renamed as (

    select
        cast(record_key as {{ type_string() }}) as record_key,
        cast(updated_at as {{ type_timestamp() }}) as updated_at,
        cast(fetched_at as {{ type_timestamp() }}) as fetched_at,
        cast(load_id as {{ type_string() }}) as load_id,
        cast(page_file as {{ type_string() }}) as page_file,
        cast(generator_key as {{ type_string() }}) as generator_key,
        cast(hw_code as {{ type_string() }}) as hw_code,
        cast(hw_category as {{ type_string() }}) as hw_category,
        cast(stored_since as date) as stored_since,
        cast(quantity_t as {{ type_double() }}) as quantity_t,
        cast(as_of_date as date) as as_of_date
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

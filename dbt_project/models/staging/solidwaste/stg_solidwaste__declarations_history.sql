-- Every version of every declarations record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'declarations') }}

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
        cast(hw_code as {{ type_string() }}) as hw_code,
        cast(hw_category as {{ type_string() }}) as hw_category,
        cast(generated_t as {{ type_double() }}) as generated_t,
        cast(self_utilised_t as {{ type_double() }}) as self_utilised_t,
        cast(self_disposed_t as {{ type_double() }}) as self_disposed_t,
        cast(transferred_t as {{ type_double() }}) as transferred_t,
        cast(stored_start_t as {{ type_double() }}) as stored_start_t,
        cast(stored_end_t as {{ type_double() }}) as stored_end_t,
        cast(declared_at as {{ type_timestamp() }}) as declared_at,
        cast(is_correction as {{ type_boolean() }}) as is_correction
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

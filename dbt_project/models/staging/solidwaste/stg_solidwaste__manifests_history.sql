-- Every version of every manifests record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'manifests') }}

),

renamed as (

    select
        cast(record_key as {{ type_string() }}) as record_key,
        cast(updated_at as {{ type_timestamp() }}) as updated_at,
        cast(fetched_at as {{ type_timestamp() }}) as fetched_at,
        cast(load_id as {{ type_string() }}) as load_id,
        cast(page_file as {{ type_string() }}) as page_file,
        cast(generator_key as {{ type_string() }}) as generator_key,
        cast(transporter_name as {{ type_string() }}) as transporter_name,
        cast(receiver_key as {{ type_string() }}) as receiver_key,
        cast(hw_code as {{ type_string() }}) as hw_code,
        cast(hw_category as {{ type_string() }}) as hw_category,
        cast(shipped_t as {{ type_double() }}) as shipped_t,
        cast(received_t as {{ type_double() }}) as received_t,
        cast(generator_signed_at as {{ type_timestamp() }}) as generator_signed_at,
        cast(transporter_signed_at as {{ type_timestamp() }}) as transporter_signed_at,
        cast(receiver_signed_at as {{ type_timestamp() }}) as receiver_signed_at,
        cast(status as {{ type_string() }}) as status,
        cast(county_code as {{ type_string() }}) as county_code
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

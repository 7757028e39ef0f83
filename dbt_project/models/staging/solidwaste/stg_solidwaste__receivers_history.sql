-- Every version of every receivers record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'receivers') }}

),

renamed as (

    select
        cast(record_key as {{ type_string() }}) as record_key,
        cast(updated_at as {{ type_timestamp() }}) as updated_at,
        cast(fetched_at as {{ type_timestamp() }}) as fetched_at,
        cast(load_id as {{ type_string() }}) as load_id,
        cast(page_file as {{ type_string() }}) as page_file,
        cast(uscc as {{ type_string() }}) as uscc,
        cast(name as {{ type_string() }}) as name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(licence_no as {{ type_string() }}) as licence_no,
        cast(licensed_categories as {{ type_string() }}) as licensed_categories,
        cast(licensed_capacity_t_per_year as {{ type_double() }}) as licensed_capacity_t_per_year,
        cast(licence_valid_from as date) as licence_valid_from,
        cast(licence_valid_to as date) as licence_valid_to,
        cast(activity as {{ type_string() }}) as activity
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

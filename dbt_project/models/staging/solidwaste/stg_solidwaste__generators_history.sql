-- Every version of every generators record the platform returned (append-only lake), typed. As of a past time:
-- `dbt build --vars '{solidwaste_as_of: "2021-03-31 23:59:59"}'` keeps only the versions fetched by then, so
-- every solid-waste model downstream shows what the platform had told us at that time.

with

source as (

    select * from {{ source('solidwaste', 'generators') }}

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
        cast(industry_code as {{ type_string() }}) as industry_code,
        cast(registered_on as date) as registered_on,
        cast(management_level as {{ type_string() }}) as management_level,
        cast(has_compliant_storage as {{ type_boolean() }}) as has_compliant_storage,
        cast(storage_checked_on as date) as storage_checked_on,
        cast(general_isw_t_per_year as {{ type_double() }}) as general_isw_t_per_year,
        -- HW, ISW or HW,ISW: the wastes the unit is registered for (a registration that does not say
        -- is an HW registration, the platform's original purpose)
        cast(coalesce(waste_types, 'HW') as {{ type_string() }}) as waste_types,
        cast(coalesce(waste_types, 'HW') like '%HW%' as {{ type_boolean() }}) as is_hw_generator,
        cast(status as {{ type_string() }}) as status
    from source
    {{ solidwaste_as_of_filter() }}

)

select * from renamed

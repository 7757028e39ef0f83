-- Every county file received, as known on the as_of date (var as_of: files uploaded by then).
with

source as (

    select * from {{ source('counties', 'files') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(intake_at as {{ type_timestamp() }}) as intake_at,
        cast(folder_county as {{ type_string() }}) as folder_county,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(file_name as {{ type_string() }}) as file_name,
        cast(size_bytes as {{ type_bigint() }}) as size_bytes,
        cast(sha256 as {{ type_string() }}) as sha256,
        cast(received_at as {{ type_timestamp() }}) as received_at,
        cast(outcome as {{ type_string() }}) as outcome,
        cast(duplicate_of as {{ type_string() }}) as duplicate_of,
        cast(encoding as {{ type_string() }}) as file_encoding,
        cast(file_format as {{ type_string() }}) as file_format,
        cast(template_version as {{ type_string() }}) as template_version,
        cast(sheet as {{ type_string() }}) as sheet,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(form_code as {{ type_string() }}) as form_code,
        cast(period_start as date) as period_start,
        cast(rule as {{ type_string() }}) as rule,
        cast(reason as {{ type_string() }}) as reason,
        cast(reason_zh as {{ type_string() }}) as reason_zh,
        cast(warnings as {{ type_string() }}) as warnings,
        cast(quarantine_path as {{ type_string() }}) as quarantine_path
    from source

)

select * from renamed
where {{ known_as_of('received_at') }}

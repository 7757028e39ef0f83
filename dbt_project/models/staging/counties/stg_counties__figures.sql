-- Figures of every accepted county file (every version), as known on the as_of date.
with

source as (

    select * from {{ source('counties', 'figures') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(sha256 as {{ type_string() }}) as sha256,
        cast(received_at as {{ type_timestamp() }}) as received_at,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(form_code as {{ type_string() }}) as form_code,
        cast(period_start as date) as period_start,
        cast(template_version as {{ type_string() }}) as template_version,
        cast(figure_code as {{ type_string() }}) as figure_code,
        cast(value as {{ type_double() }}) as figure_value,
        cast(unit as {{ type_string() }}) as unit,
        cast(raw_value as {{ type_string() }}) as raw_value,
        cast(raw_unit as {{ type_string() }}) as raw_unit
    from source

)

select * from renamed
where {{ known_as_of('received_at') }}

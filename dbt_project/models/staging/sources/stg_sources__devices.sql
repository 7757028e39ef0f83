with

source as (

    select * from {{ source('online_monitoring', 'source_devices') }}

),

renamed as (

    select
        cast(mn as {{ type_string() }}) as mn,
        cast(outlet_code as {{ type_string() }}) as outlet_code,
        cast(outlet_name as {{ type_string() }}) as outlet_name,
        cast(outlet_type as {{ type_string() }}) as outlet_type,
        cast(st as {{ type_string() }}) as st,
        cast(enterprise_credit_code as {{ type_string() }}) as credit_code,
        cast(enterprise_credit_code_raw as {{ type_string() }}) as credit_code_raw,
        cast(enterprise_name as {{ type_string() }}) as enterprise_name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(industry_code as {{ type_string() }}) as industry_code,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(latitude as {{ type_double() }}) as latitude,
        cast(parameters as {{ type_string() }}) as parameter_codes,
        cast(required_from as date) as required_from,
        cast(networked as {{ type_boolean() }}) as is_networked,
        cast(networked_on as date) as networked_on,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(load_id as {{ type_string() }}) as load_id

    from source

)

select * from renamed

with

source as (

    select * from {{ source('permits', 'permit_list') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(source_record_id as {{ type_string() }}) as source_record_id,
        cast(permit_no as {{ type_string() }}) as permit_no,
        cast(credit_code as {{ type_string() }}) as credit_code,
        cast(credit_code_raw as {{ type_string() }}) as credit_code_raw,
        cast(credit_code_problem as {{ type_string() }}) as credit_code_problem,
        cast(permit_credit_code as {{ type_string() }}) as permit_credit_code,
        cast(name as {{ type_string() }}) as name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(county_raw as {{ type_string() }}) as county_raw,
        cast(industry_name as {{ type_string() }}) as industry_name,
        cast(management_category as {{ type_string() }}) as management_category,
        cast(issuing_authority as {{ type_string() }}) as issuing_authority,
        cast(issued_on as date) as issued_on,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(status as {{ type_string() }}) as status,
        cast(revoked_on as date) as revoked_on,
        cast(dq_flags as {{ type_string() }}) as dq_flags,
        cast(export_date as date) as export_date

    from source

)

select * from renamed

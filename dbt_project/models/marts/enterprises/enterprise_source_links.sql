-- Every source record that names an enterprise, linked to its enterprise, with how (match_method)
-- and how sure (confidence). See int_enterprise_records_matched for the rules.

with

matched as (

    select * from {{ ref('int_enterprise_records_matched') }}

),

methods as (

    select
        match_method,
        name_zh
    from {{ ref('enterprise_match_methods') }}

)

select
    cast(matched.source_system as {{ type_string() }}) as source_system,
    cast(matched.source_record_id as {{ type_string() }}) as source_record_id,
    cast(matched.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(matched.match_method as {{ type_string() }}) as match_method,
    cast(methods.name_zh as {{ type_string() }}) as match_method_zh,
    cast(matched.confidence as {{ type_double() }}) as confidence,
    cast(matched.record_kind as {{ type_string() }}) as record_kind,
    cast(matched.credit_code as {{ type_string() }}) as credit_code,
    cast(matched.credit_code_raw as {{ type_string() }}) as credit_code_raw,
    cast(matched.permit_no as {{ type_string() }}) as permit_no,
    cast(matched.name as {{ type_string() }}) as name,
    cast(matched.county_code as {{ type_string() }}) as county_code,
    cast(matched.known_from as date) as known_from,
    cast(matched.known_until as date) as known_until,
    cast(matched.dq_flags as {{ type_string() }}) as dq_flags,
    cast(matched.source_file as {{ type_string() }}) as source_file,
    cast(matched.sheet_name as {{ type_string() }}) as sheet_name,
    cast(matched.record_line as {{ type_bigint() }}) as record_line,
    cast(matched.load_id as {{ type_string() }}) as load_id
from matched
left join methods on matched.match_method = methods.match_method

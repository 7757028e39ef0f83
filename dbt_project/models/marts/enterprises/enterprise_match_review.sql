-- The links a person must confirm or correct (see int_enterprise_match_issues_detected), with the
-- issue and the action in Chinese, and where the record is (file, sheet, row or line).

with

issues as (

    select * from {{ ref('int_enterprise_match_issues_detected') }}

),

labels as (

    select
        issue_code,
        name_zh,
        action_zh
    from {{ ref('enterprise_match_issues') }}

)

select
    cast(issues.issue_code as {{ type_string() }}) as issue_code,
    cast(labels.name_zh as {{ type_string() }}) as issue_zh,
    cast(labels.action_zh as {{ type_string() }}) as action_zh,
    cast(issues.source_system as {{ type_string() }}) as source_system,
    cast(issues.source_record_id as {{ type_string() }}) as source_record_id,
    cast(issues.enterprise_id as {{ type_string() }}) as enterprise_id,
    cast(issues.match_method as {{ type_string() }}) as match_method,
    cast(issues.confidence as {{ type_double() }}) as confidence,
    cast(issues.name as {{ type_string() }}) as name,
    cast(issues.county_code as {{ type_string() }}) as county_code,
    cast(issues.credit_code_raw as {{ type_string() }}) as credit_code_raw,
    cast(issues.permit_no as {{ type_string() }}) as permit_no,
    cast(issues.source_file as {{ type_string() }}) as source_file,
    cast(issues.sheet_name as {{ type_string() }}) as sheet_name,
    cast(issues.record_line as {{ type_bigint() }}) as record_line,
    cast(issues.detail as {{ type_string() }}) as detail
from issues
left join labels on issues.issue_code = labels.issue_code

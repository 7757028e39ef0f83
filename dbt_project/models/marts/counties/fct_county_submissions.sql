-- Served: one row per expected county submission (county x form x period due by the reporting cut-off).
-- The first eight columns are the contract of issue 7; the others help the dashboard.

with

assessed as (

    select * from {{ ref('int_county_submissions_assessed') }}

),

forms as (

    select
        form_code,
        title_zh
    from {{ ref('county_forms') }}

),

areas as (

    select
        area_code,
        area_name_zh
    from {{ ref('counties') }}

)

select
    assessed.county_code,
    assessed.form_code,
    assessed.period_start,
    assessed.deadline,
    assessed.received_at,
    assessed.on_time,
    assessed.status,
    assessed.rejection_reason,
    assessed.period_end,
    assessed.period_type,
    forms.title_zh as form_title_zh,
    areas.area_name_zh as county_name_zh,
    assessed.rejection_reason_zh,
    assessed.version_count,
    assessed.latest_received_at,
    assessed.rejected_count,
    assessed.last_rejected_at,
    assessed.reporting_cutoff,
    case assessed.status
        when 'on_time' then '按时报送'
        when 'late' then '逾期报送'
        when 'rejected' then '报送未通过审核'
        else '未报送'
    end as status_zh
from assessed
inner join forms on assessed.form_code = forms.form_code
inner join areas on assessed.county_code = areas.area_code

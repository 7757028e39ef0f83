-- Served: every county file that was rejected, with the rule's Chinese name (seed quality_rule_labels, as on
-- the 数据质量 dashboard) and the reason in Chinese (the county's feedback report gives the same words), and the
-- duplicates recognised by their content hash.

with

files as (

    select * from {{ ref('stg_counties__files') }}
    where outcome in ('rejected', 'duplicate')

),

rule_labels as (

    -- the same words as the 数据质量 dashboard (seed quality_rule_labels, one vocabulary per rule)
    select
        rule as rule_code,
        rule_zh
    from {{ ref('quality_rule_labels') }}

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
    files.source_file,
    files.file_name,
    files.folder_county,
    areas.area_name_zh as folder_county_name_zh,
    files.received_at,
    files.outcome,
    rule_labels.rule_zh,
    files.reason,
    files.reason_zh,
    files.county_code,
    files.form_code,
    forms.title_zh as form_title_zh,
    files.period_start,
    files.duplicate_of,
    files.quarantine_path,
    files.sha256,
    cast(files.received_at as date) as received_on,
    coalesce(files.rule, 'duplicate') as rule
from files
left join rule_labels on coalesce(files.rule, 'duplicate') = rule_labels.rule_code
left join forms on files.form_code = forms.form_code
left join areas on files.folder_county = areas.area_code

-- Served: every county file that was rejected, with the rule and the reason in Chinese (the county's
-- feedback report gives the same words), and the duplicates recognised by their content hash.

with

files as (

    select * from {{ ref('stg_counties__files') }}
    where outcome in ('rejected', 'duplicate')

),

rule_labels as (

    select
        labels.rule_code,
        labels.rule_zh
    from (
        values
        ('empty_file', '空文件'),
        ('not_spreadsheet', '非表格文件'),
        ('bad_encoding', '编码无法识别'),
        ('unknown_template', '模板不符'),
        ('multiple_rows', '多行数据'),
        ('unknown_county', '区县无法识别'),
        ('wrong_folder', '上传目录错误'),
        ('bad_period', '报送期有误'),
        ('missing_value', '指标未填写'),
        ('non_numeric', '指标非数字'),
        ('negative_value', '指标为负数'),
        ('unknown_unit', '单位无法换算'),
        ('part_exceeds_total', '分项大于总数'),
        ('duplicate', '重复上传')
    ) as labels (rule_code, rule_zh)

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

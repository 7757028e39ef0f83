-- GB 3838-2002 class of every sample (lab: monthly manual sample; auto: 4-hourly valid values).

with

params as (

    select distinct
        parameter,
        name_zh
    from {{ ref('gb3838_limits') }}

)

select
    samples.section_code,
    sections.county_code as area_code,
    samples.sample_source,
    samples.sampled_at,
    samples.water_class,
    {{ gb3838_class_label('samples.water_class') }} as water_class_label,
    samples.deciding_parameter,
    params.name_zh as deciding_parameter_zh,
    {{ method_version(['gb3838']) }} as method_version
from {{ ref('int_water_samples_classified') }} as samples
inner join {{ ref('stg_monitoring__water_sections') }} as sections
    on samples.section_code = sections.section_code
left join params on samples.deciding_parameter = params.parameter

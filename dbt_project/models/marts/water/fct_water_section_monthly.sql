-- Monthly GB 3838-2002 class of every section with the deciding parameter (heat table of the 水环境
-- dashboard); drinking_class is the class without TN used for drinking-water source compliance.

with

params as (

    select distinct
        parameter,
        name_zh
    from {{ ref('gb3838_limits') }}

)

select
    months.section_code,
    sections.section_name_zh,
    sections.county_code as area_code,
    months.month_start,
    months.year,
    months.water_class,
    {{ gb3838_class_label('months.water_class') }} as water_class_label,
    months.deciding_parameter,
    params.name_zh as deciding_parameter_zh,
    months.drinking_class,
    sections.target_class,
    months.water_class <= sections.target_class as meets_target,
    months.parameter_count,
    months.auto_parameters,
    {{ method_version(['gb3838', 'water_assessment']) }} as method_version
from {{ ref('int_water_section_months_assessed') }} as months
inner join {{ ref('stg_monitoring__water_sections') }} as sections
    on months.section_code = sections.section_code
left join params on months.deciding_parameter = params.parameter

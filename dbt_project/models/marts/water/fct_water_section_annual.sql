-- Annual GB 3838-2002 class of every section (class of the annual mean of the monthly values).

with

params as (

    select distinct
        parameter,
        name_zh
    from {{ ref('gb3838_limits') }}

)

select
    years.section_code,
    sections.section_name_zh,
    sections.county_code as area_code,
    years.year,
    years.water_class,
    {{ gb3838_class_label('years.water_class') }} as water_class_label,
    years.deciding_parameter,
    params.name_zh as deciding_parameter_zh,
    years.water_class <= 3 as is_good,
    years.water_class = 6 as is_below_v,
    sections.target_class,
    years.water_class <= sections.target_class as meets_target,
    years.months_assessed,
    years.worst_month_class,
    sections.is_assessment_section,
    sections.is_drinking_source,
    years.drinking_worst_class,
    {{ gb3838_class_label('years.drinking_worst_class') }} as drinking_worst_class_label,
    years.drinking_compliant,
    years.has_auto_data,
    {{ method_version(['gb3838', 'water_assessment']) }} as method_version
from {{ ref('int_water_section_years_assessed') }} as years
inner join {{ ref('stg_monitoring__water_sections') }} as sections
    on years.section_code = sections.section_code
left join params on years.deciding_parameter = params.parameter

-- Sections per county and the city (all the city's sections) and year: the assessment sections
-- (is_assessment_section) by annual class, good (I-III) and 劣V counts; the drinking-water sources
-- assessed and compliant; the monitored sections (assessed in the year) and those whose automatic
-- station delivered valid values in the year (the plan's water-monitoring automation rate).

with

sections as (

    select
        section_code,
        county_code,
        is_assessment_section,
        is_drinking_source
    from {{ ref('stg_monitoring__water_sections') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

section_years as (

    select
        years.*,
        sections.county_code,
        sections.is_assessment_section,
        sections.is_drinking_source
    from {{ ref('int_water_section_years_assessed') }} as years
    inner join sections on years.section_code = sections.section_code

)

select
    areas.area_code,
    section_years.year,
    count(case when section_years.is_assessment_section then 1 end) as sections_assessed,
    count(case when section_years.is_assessment_section and section_years.water_class <= 3 then 1 end)
        as good_sections,
    count(case when section_years.is_assessment_section and section_years.water_class = 6 then 1 end)
        as below_v_sections,
    {%- for k in range(1, 7) %}
    count(case when section_years.is_assessment_section and section_years.water_class = {{ k }} then 1 end)
        as class_{{ k }}_sections,
    {%- endfor %}
    count(case when section_years.is_drinking_source then 1 end) as drinking_sources_assessed,
    count(case when section_years.drinking_compliant then 1 end) as drinking_sources_compliant,
    count(*) as monitored_sections,
    count(case when section_years.has_auto_data then 1 end) as auto_sections
from section_years
inner join areas on section_years.county_code = areas.county_code
group by areas.area_code, section_years.year

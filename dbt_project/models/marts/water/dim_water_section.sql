-- The surface-water sections of the catalogue with their roles, target class and automatic station.

with

sections as (

    select * from {{ ref('stg_monitoring__water_sections') }}

),

stations as (

    select
        section_code,
        min(station_code) as station_code,
        min(commissioned_on) as auto_station_since
    from {{ ref('stg_monitoring__water_stations') }}
    group by section_code

),

areas as (

    select
        area_code,
        area_name_zh
    from {{ ref('counties') }}

)

select
    sections.section_code,
    sections.section_name_zh,
    sections.river_zh,
    sections.water_body,
    case sections.water_body when 'lake' then '湖库' else '河流' end as water_body_zh,
    sections.county_code,
    areas.area_name_zh as county_name_zh,
    sections.section_level,
    sections.is_assessment_section,
    sections.is_county_boundary,
    sections.is_out_of_province,
    sections.is_drinking_source,
    sections.target_class,
    {{ gb3838_class_label('sections.target_class') }} as target_class_label,
    stations.station_code as auto_station_code,
    stations.auto_station_since,
    stations.station_code is not null as has_auto_station,
    sections.longitude,
    sections.latitude
from sections
left join stations on sections.section_code = stations.section_code
left join areas on sections.county_code = areas.area_code

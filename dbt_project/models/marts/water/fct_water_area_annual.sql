-- Surface water per county and the city and year: sections by annual class, good (I-III) and 劣V
-- ratios, drinking-water source compliance and the automation rate (ratios in %, NULL when the
-- denominator is 0).

select
    agg.area_code,
    areas.area_name_zh,
    agg.year,
    agg.sections_assessed,
    agg.good_sections,
    agg.below_v_sections,
    {%- for k in range(1, 7) %}
    agg.class_{{ k }}_sections,
    {%- endfor %}
    case
        when agg.sections_assessed > 0
            then {{ round_half_up('100.0 * agg.good_sections / agg.sections_assessed', 1) }}
    end as good_ratio,
    case
        when agg.sections_assessed > 0
            then {{ round_half_up('100.0 * agg.below_v_sections / agg.sections_assessed', 1) }}
    end as below_v_ratio,
    agg.drinking_sources_assessed,
    agg.drinking_sources_compliant,
    case
        when agg.drinking_sources_assessed > 0
            then {{ round_half_up('100.0 * agg.drinking_sources_compliant / agg.drinking_sources_assessed', 1) }}
    end as drinking_compliance,
    agg.monitored_sections,
    agg.auto_sections,
    case
        when agg.monitored_sections > 0
            then {{ round_half_up('100.0 * agg.auto_sections / agg.monitored_sections', 1) }}
    end as auto_rate,
    {{ method_version(['gb3838', 'water_assessment']) }} as method_version
from {{ ref('int_water_area_years_aggregated') }} as agg
inner join {{ ref('counties') }} as areas on agg.area_code = areas.area_code

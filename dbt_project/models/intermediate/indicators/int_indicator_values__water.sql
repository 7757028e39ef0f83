-- Indicator family "water": surface water (GB 3838-2002) per county and the city, per year.
--
-- WATER_SECTION_GOOD_RATIO (%): assessment sections whose annual class is I-III / assessment
--   sections assessed in the year (int_water_area_years_aggregated; annual class on the annual
--   mean of the monthly values, see int_water_section_years_assessed).
-- WATER_SECTION_BELOW_V_RATIO (%): assessment sections whose annual class is worse than V (劣V) /
--   assessment sections assessed.
-- DRINKING_WATER_COMPLIANCE (%): county-level and above centralised drinking-water sources meeting
--   their target class in every assessed month of the year / sources assessed.
-- WATER_AUTO_MONITORING_RATE (%): monitored sections whose automatic station delivered valid
--   (flag N) values in the year / sections monitored (assessed) in the year.
-- Computed from the landed packets and lab files only. NULL with a reason when the water data are
-- not loaded (no_water_data), the area has no such section or source in its catalogue
-- (no_water_section, no_drinking_water_source) or none was assessed in the year (no_water_data_in_year).
-- as_of = the latest water sample time of the year; load_ids = the loads that delivered the year's data.

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where
        indicator_code in (
            'WATER_SECTION_GOOD_RATIO', 'WATER_SECTION_BELOW_V_RATIO', 'DRINKING_WATER_COMPLIANCE',
            'WATER_AUTO_MONITORING_RATE'
        )

),

sections as (

    select
        section_code,
        county_code,
        is_assessment_section,
        is_drinking_source
    from {{ ref('stg_monitoring__water_sections') }}

),

catalogue as (

    select
        counties.area_code,
        sum(case when sections.is_assessment_section then 1 else 0 end) as assessment_sections,
        sum(case when sections.is_drinking_source then 1 else 0 end) as drinking_sources,
        count(sections.section_code) as all_sections
    from {{ ref('counties') }} as counties
    left join sections
        on
            counties.area_code = sections.county_code
            or (counties.area_level = 'city' and sections.section_code is not null)
    group by counties.area_code

),

loads as (

    select
        load_id,
        cast(sample_date as {{ type_timestamp() }}) as data_time
    from {{ ref('int_water_lab_results_deduplicated') }}

    union all

    select
        load_id,
        data_time
    from {{ ref('int_water_auto_values_unpivoted') }}

),

lineage as (

    select
        cast(extract(year from data_time) as integer) as year,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids,
        max(data_time) as as_of
    from loads
    group by cast(extract(year from data_time) as integer)

),

loaded as (

    select count(*) as data_rows from loads

),

measured as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        spine.year,
        catalogue.assessment_sections,
        catalogue.drinking_sources,
        catalogue.all_sections,
        case spine.indicator_code
            when 'WATER_SECTION_GOOD_RATIO' then area_years.good_sections
            when 'WATER_SECTION_BELOW_V_RATIO' then area_years.below_v_sections
            when 'DRINKING_WATER_COMPLIANCE' then area_years.drinking_sources_compliant
            else area_years.auto_sections
        end as numerator,
        case spine.indicator_code
            when 'WATER_SECTION_GOOD_RATIO' then area_years.sections_assessed
            when 'WATER_SECTION_BELOW_V_RATIO' then area_years.sections_assessed
            when 'DRINKING_WATER_COMPLIANCE' then area_years.drinking_sources_assessed
            else area_years.monitored_sections
        end as denominator
    from spine
    left join catalogue on spine.area_code = catalogue.area_code
    left join {{ ref('int_water_area_years_aggregated') }} as area_years
        on
            spine.area_code = area_years.area_code
            and spine.year = area_years.year

),

final as (

    select
        measured.*,
        case
            when coalesce(measured.denominator, 0) = 0 then null
            else {{ round_half_up('100.0 * measured.numerator / measured.denominator', 1) }}
        end as value
    from measured

)

select
    final.indicator_code,
    final.area_code,
    final.period_type,
    final.period_start,
    final.value,
    case when final.value is not null then final.numerator end as numerator,
    case when final.value is not null then final.denominator end as denominator,
    case
        when final.value is null then null
        when final.indicator_code = 'WATER_AUTO_MONITORING_RATE'
            then {{ method_version(['gb3838', 'water_assessment', 'hj212_data_flags']) }}
        else {{ method_version(['gb3838', 'water_assessment']) }}
    end as method_version,
    case when final.value is not null then lineage.as_of end as as_of,
    case when final.value is not null then lineage.load_ids end as load_ids,
    case
        when final.value is not null then null
        when loaded.data_rows = 0 then 'no_water_data'
        when final.indicator_code = 'DRINKING_WATER_COMPLIANCE' and coalesce(final.drinking_sources, 0) = 0
            then 'no_drinking_water_source'
        when
            final.indicator_code in ('WATER_SECTION_GOOD_RATIO', 'WATER_SECTION_BELOW_V_RATIO')
            and coalesce(final.assessment_sections, 0) = 0
            then 'no_water_section'
        when coalesce(final.all_sections, 0) = 0 then 'no_water_section'
        else 'no_water_data_in_year'
    end as missing_reason_code
from final
cross join loaded
left join lineage on final.year = lineage.year

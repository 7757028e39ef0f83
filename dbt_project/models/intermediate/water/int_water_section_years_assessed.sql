-- Annual assessment of every section (GB 3838-2002): the class of the annual mean concentrations,
-- each parameter's annual mean being the mean of its monthly values (int_water_section_month_values),
-- as in the national annual assessment; a section is assessed in a year with at least one assessed
-- month. Also, per section and year: the months assessed, the worst monthly class, the drinking-water
-- compliance (every assessed month's drinking_class at or better than the target class) and whether
-- the automatic station delivered valid values (flag N) in the year.

with

sections as (

    select
        section_code,
        target_class,
        is_drinking_source
    from {{ ref('stg_monitoring__water_sections') }}

),

year_values as (

    select
        section_code,
        year,
        parameter,
        water_body,
        avg(value) as value
    from {{ ref('int_water_section_month_values') }}
    group by section_code, year, parameter, water_body

),

classified as (

    {{ gb3838_classify('year_values', ['section_code', 'year']) }}

),

months as (

    select
        months.section_code,
        months.year,
        count(*) as months_assessed,
        max(months.water_class) as worst_month_class,
        max(months.drinking_class) as drinking_worst_class,
        count(case when months.drinking_class > sections.target_class then 1 end) as drinking_months_missed
    from {{ ref('int_water_section_months_assessed') }} as months
    inner join sections on months.section_code = sections.section_code
    group by months.section_code, months.year

),

auto_years as (

    select
        section_code,
        cast(extract(year from data_time) as integer) as year,
        count(case when is_valid then 1 end) as auto_valid_values
    from {{ ref('int_water_auto_values_unpivoted') }}
    group by section_code, cast(extract(year from data_time) as integer)

)

select
    classified.section_code,
    classified.year,
    classified.water_class,
    classified.deciding_parameter,
    months.months_assessed,
    months.worst_month_class,
    months.drinking_worst_class,
    months.drinking_months_missed,
    case
        when sections.is_drinking_source then months.drinking_months_missed = 0
    end as drinking_compliant,
    coalesce(auto_years.auto_valid_values, 0) > 0 as has_auto_data,
    coalesce(auto_years.auto_valid_values, 0) as auto_valid_values
from classified
inner join months
    on
        classified.section_code = months.section_code
        and classified.year = months.year
inner join sections on classified.section_code = sections.section_code
left join auto_years
    on
        classified.section_code = auto_years.section_code
        and classified.year = auto_years.year

{%- set baseline_year = var('plan_baseline_year') -%}

-- Every period an indicator must report: registry indicator x area (the city, and every county
-- when the indicator's `areas` includes county) x year, from the plan baseline year to the last
-- year with data (today the air monitoring data: add a source's years here when it lands).

with

indicators as (

    select
        code as indicator_code,
        unit,
        areas
    from {{ ref('indicator_registry') }}

),

areas as (

    select
        area_code,
        area_level
    from {{ ref('counties') }}

),

data_years as (

    select max(cast(extract(year from date) as integer)) as last_year
    from {{ ref('int_air_station_days_aggregated') }}

),

years as (

    -- greatest() skips NULL: without any data the spine still has the baseline year
    select {{ explode_integer_range(baseline_year, 'greatest(last_year, ' ~ baseline_year ~ ')') }} as year
    from data_years

),

indicator_areas as (

    select
        indicators.indicator_code,
        indicators.unit,
        areas.area_code
    from indicators
    inner join areas
        on
            areas.area_level = 'city'
            or (areas.area_level = 'county' and indicators.areas like '%county%')

),

spined as (

    select
        indicator_areas.indicator_code,
        indicator_areas.area_code,
        'year' as period_type,
        {{ date_from_parts('years.year', 1, 1) }} as period_start,
        cast(years.year as integer) as year,
        indicator_areas.unit
    from indicator_areas
    cross join years

)

select * from spined

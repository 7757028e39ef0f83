-- Coverage of the planned soil points per area (every county and the city) and year: planned points
-- of the year with at least one loaded result sampled in that year / planned points of the year.
-- A sample of a point that is not planned for its year does not count. The city sums its counties.

with

planned as (

    select distinct
        year,
        point_code,
        county_code
    from {{ ref('stg_lab__soil_points') }}

),

samples as (

    select
        point_code,
        county_code,
        cast(extract(year from sampled_on) as integer) as year,
        sampled_on,
        load_id
    from {{ ref('stg_lab__soil_results') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

covered as (

    select
        planned.year,
        planned.point_code,
        planned.county_code,
        max(case when samples.point_code is not null then 1 else 0 end) as is_covered
    from planned
    left join samples
        on
            planned.point_code = samples.point_code
            and planned.year = samples.year
    group by planned.year, planned.point_code, planned.county_code

),

planned_counts as (

    select
        areas.area_code,
        covered.year,
        count(*) as planned_points,
        sum(covered.is_covered) as covered_points
    from covered
    inner join areas on covered.county_code = areas.county_code
    group by areas.area_code, covered.year

),

delivered as (

    select
        areas.area_code,
        samples.year,
        count(*) as samples,
        max(samples.sampled_on) as last_sampled_on,
        {{ string_agg_distinct_sorted('samples.load_id', ',') }} as load_ids
    from samples
    inner join areas on samples.county_code = areas.county_code
    group by areas.area_code, samples.year

),

combined as (

    select
        delivered.last_sampled_on,
        delivered.load_ids,
        cast(coalesce(planned_counts.year, delivered.year) as integer) as year,
        coalesce(planned_counts.area_code, delivered.area_code) as area_code,
        coalesce(planned_counts.planned_points, 0) as planned_points,
        coalesce(planned_counts.covered_points, 0) as covered_points,
        coalesce(delivered.samples, 0) as samples
    from planned_counts
    full outer join delivered
        on
            planned_counts.area_code = delivered.area_code
            and planned_counts.year = delivered.year

)

select
    area_code,
    year,
    planned_points,
    covered_points,
    samples,
    last_sampled_on,
    load_ids
from combined

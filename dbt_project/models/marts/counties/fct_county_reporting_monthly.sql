-- Completeness and timeliness per area (each county and the city) and month. Every expected submission
-- counts once, in the month its period ends (a quarterly form in March, June, September, December; an
-- annual one in December), so periods of different lengths weigh the same and a form introduced
-- mid-period counts from its first expected period.
-- completeness_rate = received / expected; timeliness_rate = received by the deadline / expected (%).

with

submissions as (

    select
        county_code,
        period_end,
        is_received,
        on_time
    from {{ ref('int_county_submissions_assessed') }}

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

names as (

    select
        area_code,
        area_name_zh,
        area_level
    from {{ ref('counties') }}

),

counted as (

    select
        areas.area_code,
        {{ date_from_parts(
            'extract(year from submissions.period_end)', 'extract(month from submissions.period_end)', 1
        ) }} as month_start,
        count(*) as expected_count,
        sum(case when submissions.is_received then 1 else 0 end) as received_count,
        sum(case when submissions.on_time then 1 else 0 end) as on_time_count
    from submissions
    inner join areas on submissions.county_code = areas.county_code
    group by
        areas.area_code,
        {{ date_from_parts(
            'extract(year from submissions.period_end)', 'extract(month from submissions.period_end)', 1
        ) }}

)

select
    counted.area_code,
    names.area_name_zh,
    names.area_level,
    counted.month_start,
    counted.expected_count,
    counted.received_count,
    counted.on_time_count,
    {{ round_half_up('100.0 * counted.received_count / counted.expected_count', 1) }} as completeness_rate,
    {{ round_half_up('100.0 * counted.on_time_count / counted.expected_count', 1) }} as timeliness_rate
from counted
inner join names on counted.area_code = names.area_code

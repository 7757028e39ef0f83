-- One row per noise measurement and period (day 06-22, night 22-06) against its GB 3096-2008
-- function-zone limit: compliant when Leq <= limit. A period without a level has no row.

with

measurements as (

    select * from {{ ref('stg_lab__noise_results') }}

),

limits as (

    select * from {{ ref('gb3096_limits') }}

),

periods as (

    select
        point_code,
        point_name,
        county_code,
        zone_class,
        measured_on,
        'day' as period,
        leq_day_db as leq_db,
        load_id,
        source_file,
        line_no
    from measurements
    where leq_day_db is not null

    union all

    select
        point_code,
        point_name,
        county_code,
        zone_class,
        measured_on,
        'night' as period,
        leq_night_db as leq_db,
        load_id,
        source_file,
        line_no
    from measurements
    where leq_night_db is not null

)

select
    periods.*,
    cast(extract(year from periods.measured_on) as integer) as year,
    limits.limit_db,
    periods.leq_db <= limits.limit_db as is_compliant
from periods
inner join limits
    on
        periods.zone_class = limits.zone_class
        and periods.period = limits.period

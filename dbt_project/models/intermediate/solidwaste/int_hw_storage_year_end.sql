-- HW in storage at the end of each year: per generator, its latest inventory snapshot of the year
-- (every version kept in the lake, so past snapshots stay readable; 31 December for a complete year, the
-- latest month end for the current one), each batch with the days it had been stored at that inventory. A
-- batch stored for more than the storage limit (seed solidwaste_tolerances) counts in HW_STORED_OVER_ONE_YEAR.

with

snapshots as (

    select
        record_key,
        generator_key,
        hw_code,
        hw_category,
        stored_since,
        quantity_t,
        as_of_date,
        cast(extract(year from as_of_date) as integer) as year,
        load_id,
        row_number() over (
            partition by record_key, as_of_date order by updated_at desc, fetched_at desc
        ) as version_rank
    from {{ ref('stg_solidwaste__storage_history') }}

),

latest_of_year as (

    select
        generator_key,
        year,
        max(as_of_date) as as_of_date
    from snapshots
    group by generator_key, year

),

limits as (

    select max(value) as storage_limit_days
    from {{ ref('solidwaste_tolerances') }}
    where tolerance_code = 'storage_limit_days'

),

generators as (

    select
        generator_key,
        enterprise_id,
        county_code
    from {{ ref('int_hw_generators_linked') }}

)

select
    snapshots.record_key as batch_key,
    snapshots.generator_key,
    generators.enterprise_id,
    generators.county_code,
    snapshots.year,
    snapshots.as_of_date,
    snapshots.hw_code,
    snapshots.hw_category,
    snapshots.stored_since,
    snapshots.quantity_t,
    snapshots.load_id,
    {{ datediff('snapshots.stored_since', 'snapshots.as_of_date', 'day') }} as days_stored_at_inventory,
    {{ datediff('snapshots.stored_since', 'snapshots.as_of_date', 'day') }}
    > limits.storage_limit_days as is_over_limit_at_year_end
from snapshots
inner join latest_of_year
    on
        snapshots.generator_key = latest_of_year.generator_key
        and snapshots.as_of_date = latest_of_year.as_of_date
cross join limits
left join generators on snapshots.generator_key = generators.generator_key
where snapshots.version_rank = 1

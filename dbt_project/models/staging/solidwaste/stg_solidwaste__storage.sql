-- The latest version of each storage record (by the platform's updated_at, then fetch time).

with

history as (

    select * from {{ ref('stg_solidwaste__storage_history') }}

),

ranked as (

    select
        history.*,
        row_number() over (
            partition by history.record_key
            order by history.updated_at desc, history.fetched_at desc
        ) as version_rank,
        count(*) over (partition by history.record_key) as version_count
    from history

)

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    generator_key,
    hw_code,
    hw_category,
    stored_since,
    quantity_t,
    as_of_date,
    version_count
from ranked
where version_rank = 1

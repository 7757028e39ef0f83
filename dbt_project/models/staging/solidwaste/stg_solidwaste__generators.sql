-- The latest version of each generators record (by the platform's updated_at, then fetch time).

with

history as (

    select * from {{ ref('stg_solidwaste__generators_history') }}

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
    uscc,
    name,
    county_code,
    industry_code,
    registered_on,
    management_level,
    has_compliant_storage,
    storage_checked_on,
    general_isw_t_per_year,
    status,
    version_count
from ranked
where version_rank = 1

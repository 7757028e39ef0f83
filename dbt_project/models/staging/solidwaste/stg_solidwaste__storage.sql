-- The latest version of each storage record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__storage_history')) }}

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

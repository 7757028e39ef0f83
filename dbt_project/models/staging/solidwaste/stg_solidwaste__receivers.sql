-- The latest version of each receivers record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__receivers_history')) }}

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    uscc,
    name,
    county_code,
    licence_no,
    licensed_categories,
    licensed_capacity_t_per_year,
    licence_valid_from,
    licence_valid_to,
    activity,
    version_count
from ranked
where version_rank = 1

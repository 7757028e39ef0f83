-- The latest version of each general_isw record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__general_isw_history')) }}

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    generator_key,
    year,
    generated_t,
    utilised_t,
    utilised_from_storage_t,
    disposed_t,
    stored_t,
    version_count
from ranked
where version_rank = 1

-- The latest version of each medical_waste record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__medical_waste_history')) }}

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    centre_key,
    centre_name,
    county_code,
    month,
    collected_t,
    disposed_t,
    generated_t,
    version_count
from ranked
where version_rank = 1

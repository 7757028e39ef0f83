-- The latest version of each generators record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__generators_history')) }}

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
    waste_types,
    is_hw_generator,
    status,
    version_count
from ranked
where version_rank = 1

-- The latest version of each manifests record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__manifests_history')) }}

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    generator_key,
    transporter_name,
    receiver_key,
    hw_code,
    hw_category,
    shipped_t,
    received_t,
    generator_signed_at,
    transporter_signed_at,
    receiver_signed_at,
    status,
    county_code,
    version_count
from ranked
where version_rank = 1

-- The latest version of each declarations record (by the platform's updated_at, then fetch time).

with

{{ latest_record_versions(ref('stg_solidwaste__declarations_history')) }}

select
    record_key,
    updated_at,
    fetched_at,
    load_id,
    page_file,
    generator_key,
    year,
    hw_code,
    hw_category,
    generated_t,
    self_utilised_t,
    self_disposed_t,
    transferred_t,
    stored_start_t,
    stored_end_t,
    declared_at,
    is_correction,
    version_count
from ranked
where version_rank = 1

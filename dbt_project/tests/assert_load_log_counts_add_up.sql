{{ config(severity='warn') }}
-- Ingestion contract: received = loaded + quarantined + duplicates for every landing file.
select
    load_id,
    source_file,
    received_count,
    loaded_count,
    quarantined_count,
    duplicate_count
from {{ ref('stg_ops__load_log') }}
where received_count != loaded_count + quarantined_count + duplicate_count

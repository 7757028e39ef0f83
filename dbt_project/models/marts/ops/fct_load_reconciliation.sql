-- One row per load-log source and partition: the latest load of every landing file, summed.
-- Acceptance interface: received = loaded + quarantined + duplicates on every row.
with

load_log as (

    select * from {{ ref('stg_ops__load_log') }}

),

latest_per_file as (

    select
        *,
        row_number() over (
            partition by source_name, source_file
            order by finished_at desc, load_id desc
        ) as load_rank
    from load_log

),

reconciled as (

    select
        source_name as source,
        partition_key,
        count(*) as files,
        sum(received_count) as received,
        sum(loaded_count) as loaded,
        sum(quarantined_count) as quarantined,
        sum(duplicate_count) as duplicates,
        max(load_id) as last_load_id,
        max(finished_at) as last_loaded_at
    from latest_per_file
    where load_rank = 1
    group by source_name, partition_key

)

select
    cast(reconciled.source as {{ type_string() }}) as source,
    cast(labels.source_name_zh as {{ type_string() }}) as source_name_zh,
    cast(reconciled.partition_key as {{ type_string() }}) as partition_key,
    cast(reconciled.files as {{ type_bigint() }}) as files,
    cast(reconciled.received as {{ type_bigint() }}) as received,
    cast(reconciled.loaded as {{ type_bigint() }}) as loaded,
    cast(reconciled.quarantined as {{ type_bigint() }}) as quarantined,
    cast(reconciled.duplicates as {{ type_bigint() }}) as duplicates,
    cast(reconciled.last_load_id as {{ type_string() }}) as last_load_id,
    cast(reconciled.last_loaded_at as {{ type_timestamp() }}) as last_loaded_at
from reconciled
left join {{ ref('source_labels') }} as labels
    on reconciled.source = labels.source

-- One row per device (MN) and day (the packets' DataTime day): frames received by the TCP receiver and
-- what became of them. received = landed + quarantined + duplicates on every row (balanced).
with

journal as (

    select * from {{ ref('stg_receiver__journal') }}

),

per_device_day as (

    select
        mn,
        data_day,
        count(*) as received,
        sum(case when outcome = 'landed' then 1 else 0 end) as landed,
        sum(case when outcome = 'quarantined' then 1 else 0 end) as quarantined,
        sum(case when outcome = 'duplicate' then 1 else 0 end) as duplicates,
        sum(frame_bytes) as received_bytes,
        min(received_at) as first_received_at,
        max(received_at) as last_received_at
    from journal
    group by mn, data_day

)

select
    cast(mn as {{ type_string() }}) as mn,
    cast(data_day as date) as data_day,
    cast(received as {{ type_bigint() }}) as received,
    cast(landed as {{ type_bigint() }}) as landed,
    cast(quarantined as {{ type_bigint() }}) as quarantined,
    cast(duplicates as {{ type_bigint() }}) as duplicates,
    cast(received_bytes as {{ type_bigint() }}) as received_bytes,
    cast(first_received_at as {{ type_timestamp() }}) as first_received_at,
    cast(last_received_at as {{ type_timestamp() }}) as last_received_at,
    cast(received = landed + quarantined + duplicates as boolean) as balanced
from per_device_day

-- One row per frame the receiver cut from a device's byte stream (landed, duplicate or quarantined).
with

source as (

    select * from {{ source('receiver', 'receiver_journal') }}

),

renamed as (

    select
        cast(received_at as {{ type_timestamp() }}) as received_at,
        cast(receiver as {{ type_string() }}) as receiver_name,
        cast(peer as {{ type_string() }}) as peer,
        cast(coalesce(mn, 'unattributed') as {{ type_string() }}) as mn,
        cast(st as {{ type_string() }}) as st,
        cast(cn as {{ type_string() }}) as cn,
        cast(qn as {{ type_string() }}) as qn,
        cast(data_time as {{ type_timestamp() }}) as data_time,
        cast(day as date) as data_day,
        cast(date as date) as arrival_day,
        cast(outcome as {{ type_string() }}) as outcome,
        cast(rule as {{ type_string() }}) as rule,
        cast(bytes as {{ type_bigint() }}) as frame_bytes,
        cast(landing_file as {{ type_string() }}) as landing_file,
        cast(landing_line as {{ type_bigint() }}) as landing_line,
        cast(digest as {{ type_string() }}) as digest

    from source

)

select * from renamed

-- Quarantined rows per source, dataset, rule, county (where the raw line names a known MN) and day.
with

quarantine as (

    select * from {{ ref('stg_quality__quarantine') }}

),

stations as (

    select * from {{ ref('stg_monitoring__air_stations') }}

),

with_mn as (

    select
        quarantine.*,
        case
            when quarantine.source_name = 'monitoring.hj212.air'
                then nullif(regexp_extract(quarantine.raw, 'MN=([^;&]+)', 1), '')
        end as mn
    from quarantine

),

with_county as (

    select
        with_mn.source_name,
        with_mn.dataset,
        with_mn.rule,
        with_mn.partition_key,
        stations.county_code
    from with_mn
    left join stations
        on with_mn.mn = stations.mn

)

select
    cast(with_county.source_name as {{ type_string() }}) as source,
    cast(labels_source.source_name_zh as {{ type_string() }}) as source_name_zh,
    cast(with_county.dataset as {{ type_string() }}) as dataset,
    cast(with_county.rule as {{ type_string() }}) as rule,
    cast(coalesce(labels_rule.rule_zh, with_county.rule) as {{ type_string() }}) as rule_zh,
    cast(with_county.county_code as {{ type_string() }}) as county_code,
    cast(with_county.partition_key as {{ type_string() }}) as partition_key,
    cast(case
        when with_county.source_name = 'monitoring.hj212.air' then cast(with_county.partition_key as date)
    end as date) as quarantine_date,
    cast(count(*) as {{ type_bigint() }}) as quarantined_rows
from with_county
left join {{ ref('quality_rule_labels') }} as labels_rule
    on with_county.rule = labels_rule.rule
left join {{ ref('source_labels') }} as labels_source
    on with_county.source_name = labels_source.source
group by
    with_county.source_name,
    labels_source.source_name_zh,
    with_county.dataset,
    with_county.rule,
    coalesce(labels_rule.rule_zh, with_county.rule),
    with_county.county_code,
    with_county.partition_key

-- Validation results per check (rule), dataset, county and day, over time: the latest load of
-- every (dataset, partition) counts, so a re-processed day replaces its earlier results. Datasets taken in
-- file by file (the county uploads: each intake run checks only files not seen before, partition = the day the
-- file arrived) keep every load: a later run on the same day adds its files, it does not re-check earlier ones.
{% set file_by_file_datasets = ['counties/submissions'] %}
with

results as (

    select * from {{ ref('stg_quality__results') }}

),

latest_load as (

    select
        dataset,
        partition_key,
        max(checked_at) as checked_at
    from results
    group by dataset, partition_key

),

current_results as (

    select results.*
    from results
    inner join latest_load
        on
            results.dataset = latest_load.dataset
            and results.partition_key = latest_load.partition_key
            and (
                results.checked_at = latest_load.checked_at
                or results.dataset in ('{{ file_by_file_datasets | join("', '") }}')
            )

)

select
    cast(current_results.load_id as {{ type_string() }}) as load_id,
    cast(current_results.dataset as {{ type_string() }}) as dataset,
    cast(case current_results.dataset
        when 'monitoring/air_hourly' then 'monitoring.hj212.air'
        when 'monitoring/air_stations' then 'monitoring.registry'
        else current_results.dataset
    end as {{ type_string() }}) as source,
    cast(labels_source.source_name_zh as {{ type_string() }}) as source_name_zh,
    cast(current_results.rule as {{ type_string() }}) as rule,
    cast(coalesce(labels_rule.rule_zh, current_results.rule) as {{ type_string() }}) as rule_zh,
    cast(current_results.severity as {{ type_string() }}) as severity,
    cast(current_results.partition_key as {{ type_string() }}) as partition_key,
    cast(case
        when current_results.partition_key = 'all' then null
        else cast(current_results.partition_key as date)
    end as date) as check_date,
    cast(current_results.county_code as {{ type_string() }}) as county_code,
    cast(current_results.element_count as {{ type_bigint() }}) as element_count,
    cast(current_results.unexpected_count as {{ type_bigint() }}) as unexpected_count,
    cast(current_results.success as {{ type_boolean() }}) as success,
    cast(current_results.accepted as {{ type_boolean() }}) as accepted,
    cast(current_results.message as {{ type_string() }}) as message,
    cast(current_results.checked_at as {{ type_timestamp() }}) as checked_at
from current_results
left join {{ ref('quality_rule_labels') }} as labels_rule
    on current_results.rule = labels_rule.rule
left join {{ ref('source_labels') }} as labels_source
    on
        case current_results.dataset
            when 'monitoring/air_hourly' then 'monitoring.hj212.air'
            when 'monitoring/air_stations' then 'monitoring.registry'
            else current_results.dataset
        end = labels_source.source

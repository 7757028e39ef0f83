-- Progress of every plan indicator x area x assessment year (the plan's years with a period in
-- fct_indicator_values, after the baseline year) against its target, with both methods of DOMAIN.md
-- section 5; evaluation/progress.py is the Python reference of the same rules (tests compare them).
--
-- time-elapsed (序时进度): distance_share = (value - baseline) / (target - baseline), the share of the way
--   covered, against elapsed_share = (year - baseline_year) / (target_year - baseline_year): on_schedule
--   when distance_share >= elapsed_share, behind_schedule when >= 0, deterioration below 0.
-- growth-rate ratio: observed CAGR (value / baseline)^(1 / (year - baseline_year)) - 1 over the required
--   CAGR (target / baseline)^(1 / (target_year - baseline_year)) - 1, a zero value replaced by 0.001;
--   >= 0.95 on_track, 0.6-0.95 acceleration_needed, 0-0.6 limited_progress, < 0 deterioration. Only
--   defined for positive figures (a % change such as EMISSION_COD_CHANGE is not): 'not_applicable'.
-- Either method says 'achieved' when the value already meets the target (>= for higher-is-better, <=
--   for lower-is-better); 'no_data' (with the value's missing reason) when there is no value, never a zero.
-- status: the growth-rate status, or the time-elapsed one where the growth rate is not applicable.
-- The plan's target applies to the city and to every county (the registry has one figure per indicator).
{%- set plan_targets = [
    ref('int_plan_targets__14th_fyp'),
] %}

with

targets as (
    {% for plan in plan_targets %}
    select
        plan_code,
        indicator_code,
        baseline_year,
        checkpoint_year,
        checkpoint_value,
        target_year,
        target_value
    from {{ plan }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

plans as (

    select
        plan_code,
        start_year,
        end_year
    from {{ ref('plans') }}

),

registry as (

    select
        code as indicator_code,
        name_zh,
        direction,
        kind,
        department_zh,
        target_source
    from {{ ref('indicator_registry') }}

),

areas as (

    select
        area_code,
        area_name_zh,
        area_level
    from {{ ref('counties') }}

),

indicator_values as (

    select
        indicator_code,
        area_code,
        cast(extract(year from period_start) as integer) as year,
        value,
        unit,
        method_version,
        as_of,
        load_ids,
        missing_reason_code,
        missing_reason_zh
    from {{ ref('fct_indicator_values') }}
    where period_type = 'year'

),

baselines as (

    select
        indicator_code,
        area_code,
        baseline_year,
        baseline_value,
        baseline_source
    from {{ ref('fct_indicator_baselines') }}

),

statuses as (

    select
        status_code,
        label_zh
    from {{ ref('progress_statuses') }}

),

assessed as (

    select
        targets.plan_code,
        targets.indicator_code,
        registry.name_zh as indicator_name_zh,
        indicator_values.area_code,
        areas.area_name_zh,
        areas.area_level,
        indicator_values.year,
        indicator_values.unit,
        registry.direction,
        registry.kind,
        registry.department_zh,
        registry.target_source,
        targets.baseline_year,
        -- fct_indicator_baselines holds the registry baseline year's figure; another year: its value
        coalesce(baselines.baseline_value, baseline_values.value) as baseline_value,
        case
            when baselines.baseline_value is not null then baselines.baseline_source
            when baseline_values.value is not null then 'computed'
        end as baseline_source,
        targets.checkpoint_year,
        targets.checkpoint_value as registry_checkpoint_value,
        targets.target_year,
        targets.target_value,
        indicator_values.value,
        indicator_values.method_version,
        indicator_values.as_of,
        indicator_values.load_ids,
        indicator_values.missing_reason_code,
        indicator_values.missing_reason_zh,
        cast(indicator_values.year - targets.baseline_year as {{ type_double() }})
        / cast(targets.target_year - targets.baseline_year as {{ type_double() }}) as elapsed_share

    from targets
    inner join plans on targets.plan_code = plans.plan_code
    inner join registry on targets.indicator_code = registry.indicator_code
    inner join indicator_values
        on
            targets.indicator_code = indicator_values.indicator_code
            and targets.baseline_year < indicator_values.year
            and plans.end_year >= indicator_values.year
    inner join areas on indicator_values.area_code = areas.area_code
    left join baselines
        on
            targets.indicator_code = baselines.indicator_code
            and indicator_values.area_code = baselines.area_code
            and targets.baseline_year = baselines.baseline_year
    left join indicator_values as baseline_values
        on
            targets.indicator_code = baseline_values.indicator_code
            and indicator_values.area_code = baseline_values.area_code
            and targets.baseline_year = baseline_values.year

),

measured as (

    select
        assessed.*,
        coalesce(
            assessed.registry_checkpoint_value,
            assessed.baseline_value + (assessed.target_value - assessed.baseline_value)
            * cast(assessed.checkpoint_year - assessed.baseline_year as {{ type_double() }})
            / cast(assessed.target_year - assessed.baseline_year as {{ type_double() }})
        ) as checkpoint_value,
        case
            when assessed.registry_checkpoint_value is not null then 'registry'
            when assessed.baseline_value is not null then 'interpolated'
        end as checkpoint_source,
        case
            when assessed.value is null or assessed.target_value is null then null
            when assessed.direction = 'higher' then assessed.value >= assessed.target_value
            else assessed.value <= assessed.target_value
        end as meets_target,
        case
            when assessed.value is null or assessed.baseline_value is null or assessed.target_value is null then null
            when assessed.target_value = assessed.baseline_value then null
            else (assessed.value - assessed.baseline_value) / (assessed.target_value - assessed.baseline_value)
        end as distance_share,
        -- the growth-rate method replaces a zero by 0.001
        case when assessed.baseline_value = 0 then 0.001 else assessed.baseline_value end as baseline_nz,
        case when assessed.value = 0 then 0.001 else assessed.value end as value_nz,
        case when assessed.target_value = 0 then 0.001 else assessed.target_value end as target_nz

    from assessed

),

rated as (

    select
        measured.*,
        case
            when measured.value is null or measured.checkpoint_value is null then null
            when measured.direction = 'higher' then measured.value >= measured.checkpoint_value
            else measured.value <= measured.checkpoint_value
        end as meets_checkpoint,
        case
            when measured.baseline_nz > 0 and measured.value_nz > 0 and measured.target_nz > 0
                then power(
                        measured.value_nz / measured.baseline_nz,
                        1.0 / cast(measured.year - measured.baseline_year as {{ type_double() }})
                    ) - 1
        end as observed_cagr,
        case
            when measured.baseline_nz > 0 and measured.value_nz > 0 and measured.target_nz > 0
                then power(
                        measured.target_nz / measured.baseline_nz,
                        1.0 / cast(measured.target_year - measured.baseline_year as {{ type_double() }})
                    ) - 1
        end as required_cagr

    from measured

),

judged as (

    select
        rated.*,
        case when rated.required_cagr <> 0 then rated.observed_cagr / rated.required_cagr end as growth_rate_ratio,
        case
            when rated.value is null then 'no_data'
            when rated.meets_target then 'achieved'
            when rated.baseline_value is null then 'no_baseline'
            -- target equal to the baseline and not met: worse than the baseline
            when rated.distance_share is null then 'deterioration'
            when rated.distance_share >= rated.elapsed_share then 'on_schedule'
            when rated.distance_share >= 0 then 'behind_schedule'
            else 'deterioration'
        end as time_progress_status

    from rated

),

classified as (

    select
        judged.*,
        case
            when judged.value is null then 'no_data'
            when judged.meets_target then 'achieved'
            when judged.baseline_value is null then 'no_baseline'
            when judged.observed_cagr is null then 'not_applicable'
            -- required CAGR 0 (target = baseline) and not met: worse than the baseline
            when judged.growth_rate_ratio is null then 'deterioration'
            when judged.growth_rate_ratio >= 0.95 then 'on_track'
            when judged.growth_rate_ratio >= 0.6 then 'acceleration_needed'
            when judged.growth_rate_ratio >= 0 then 'limited_progress'
            else 'deterioration'
        end as growth_rate_status

    from judged

),

final as (

    select
        classified.*,
        case
            when classified.growth_rate_status = 'not_applicable' then classified.time_progress_status
            else classified.growth_rate_status
        end as status,
        case
            when classified.growth_rate_status = 'not_applicable' then 'time_elapsed'
            else 'growth_rate'
        end as status_method,
        case
            when classified.year <> classified.checkpoint_year then null
            when classified.meets_checkpoint then 'achieved'
            when classified.meets_checkpoint is not null then 'not_achieved'
        end as checkpoint_verdict,
        case
            when classified.year <> classified.target_year then null
            when classified.meets_target then 'achieved'
            when classified.meets_target is not null then 'not_achieved'
        end as target_verdict,
        case
            when classified.area_level = 'county' and classified.value is not null
                then rank() over (
                        partition by
                            classified.plan_code,
                            classified.indicator_code,
                            classified.year,
                            classified.area_level = 'county' and classified.value is not null
                        order by
                            case when classified.direction = 'higher' then -classified.value else classified.value end
                    )
        end as county_rank

    from classified

)

select
    cast(final.plan_code as {{ type_string() }}) as plan_code,
    cast(final.indicator_code as {{ type_string() }}) as indicator_code,
    cast(final.indicator_name_zh as {{ type_string() }}) as indicator_name_zh,
    cast(final.area_code as {{ type_string() }}) as area_code,
    cast(final.area_name_zh as {{ type_string() }}) as area_name_zh,
    cast(final.area_level as {{ type_string() }}) as area_level,
    cast(final.year as integer) as year,
    cast(final.unit as {{ type_string() }}) as unit,
    cast(final.direction as {{ type_string() }}) as direction,
    cast(final.kind = 'binding' as {{ type_boolean() }}) as is_binding,
    cast(case when final.kind = 'binding' then '约束性' else '预期性' end as {{ type_string() }}) as kind_zh,
    cast(final.department_zh as {{ type_string() }}) as department_zh,
    cast(final.target_source as {{ type_string() }}) as target_source,
    cast(final.baseline_year as integer) as baseline_year,
    cast(final.baseline_value as {{ type_double() }}) as baseline_value,
    cast(final.baseline_source as {{ type_string() }}) as baseline_source,
    cast(final.checkpoint_year as integer) as checkpoint_year,
    cast(final.checkpoint_value as {{ type_double() }}) as checkpoint_value,
    cast(final.checkpoint_source as {{ type_string() }}) as checkpoint_source,
    cast(final.target_year as integer) as target_year,
    cast(final.target_value as {{ type_double() }}) as target_value,
    cast(final.value as {{ type_double() }}) as value,
    cast(final.elapsed_share as {{ type_double() }}) as elapsed_share,
    cast(final.distance_share as {{ type_double() }}) as distance_share,
    cast(final.time_progress_status as {{ type_string() }}) as time_progress_status,
    cast(time_labels.label_zh as {{ type_string() }}) as time_progress_status_zh,
    cast(final.observed_cagr as {{ type_double() }}) as observed_cagr,
    cast(final.required_cagr as {{ type_double() }}) as required_cagr,
    cast(final.growth_rate_ratio as {{ type_double() }}) as growth_rate_ratio,
    cast(final.growth_rate_status as {{ type_string() }}) as growth_rate_status,
    cast(growth_labels.label_zh as {{ type_string() }}) as growth_rate_status_zh,
    cast(final.status as {{ type_string() }}) as status,
    cast(status_labels.label_zh as {{ type_string() }}) as status_zh,
    cast(final.status_method as {{ type_string() }}) as status_method,
    cast(final.meets_checkpoint as {{ type_boolean() }}) as meets_checkpoint,
    cast(final.checkpoint_verdict as {{ type_string() }}) as checkpoint_verdict,
    cast(final.meets_target as {{ type_boolean() }}) as meets_target,
    cast(final.target_verdict as {{ type_string() }}) as target_verdict,
    cast(final.county_rank as integer) as county_rank,
    cast(final.method_version as {{ type_string() }}) as method_version,
    cast(final.as_of as {{ type_timestamp() }}) as as_of,
    cast(final.load_ids as {{ type_string() }}) as load_ids,
    cast(final.missing_reason_code as {{ type_string() }}) as missing_reason_code,
    cast(final.missing_reason_zh as {{ type_string() }}) as missing_reason_zh
from final
left join statuses as time_labels on final.time_progress_status = time_labels.status_code
left join statuses as growth_labels on final.growth_rate_status = growth_labels.status_code
left join statuses as status_labels on final.status = status_labels.status_code

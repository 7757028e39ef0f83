-- Patterns in online-monitoring data that enforcement follows up (one row per finding), with the
-- numbers that triggered them (evidence: a Chinese sentence, shown on the dashboard as it is).
-- Thresholds (documented in ingestion/sources/README.md):
--   flatline                     >= 12 consecutive valid hours with the same non-zero value;
--   stuck_at_zero                >= 6 consecutive valid hours at 0 while the outlet's flow is > 0;
--   clipped_below_limit          in a month, >= 48 valid hours and >= 20% of the valid hours between
--                                95% and 100% of the upper limit (values piled up just under it);
--   excessive_maintenance_flags  in a month, >= 72 hours and >= 10% of the received hours with an
--                                analyser flagged M (maintenance) or C (calibration); a weekly
--                                calibration gives about 4 such hours a month.
{%- set flatline_hours = 12 %}
{%- set zero_hours = 6 %}
{%- set clip_band = 0.95 %}
{%- set clip_hours = 48 %}
{%- set clip_share = 0.2 %}
{%- set maintenance_hours = 72 %}
{%- set maintenance_share = 0.1 %}

with

runs as (

    select * from {{ ref('int_source_value_runs_grouped') }}

),

validated as (

    select * from {{ ref('int_source_hourly_values_validated') }}

),

outlet_days as (

    select * from {{ ref('int_source_outlet_days_aggregated') }}

),

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}

),

limits as (

    select
        mn,
        pollutant_code,
        pollutant_name_zh
    from {{ ref('stg_sources__limits') }}

),

flatlines as (

    select
        outlet_code,
        pollutant_code,
        'flatline' as pattern_code,
        run_start as start_time,
        run_end as end_time,
        run_hours as evidence_hours,
        run_value as evidence_value,
        {{ concat([
            "'数值'", "cast(run_value as " ~ type_string() ~ ")",
            "'连续'", "cast(run_hours as " ~ type_string() ~ ")", "'个有效小时不变'"
        ]) }} as evidence
    from runs
    where run_value <> 0 and run_hours >= {{ flatline_hours }}

),

zeros as (

    select
        outlet_code,
        pollutant_code,
        'stuck_at_zero' as pattern_code,
        run_start as start_time,
        run_end as end_time,
        run_hours as evidence_hours,
        min_flow as evidence_value,
        {{ concat([
            "'浓度为0连续'", "cast(run_hours as " ~ type_string() ~ ")",
            "'个有效小时，期间流量不低于'", "cast(min_flow as " ~ type_string() ~ ")"
        ]) }} as evidence
    from runs
    where run_value = 0 and run_hours >= {{ zero_hours }} and min_flow > 0

),

monthly_values as (

    select
        outlet_code,
        pollutant_code,
        cast({{ date_trunc('month', 'data_date') }} as date) as month_start,
        min(upper_limit) as upper_limit,
        sum(case when is_valid then 1 else 0 end) as valid_hours,
        sum(
            case
                when is_valid and avg_value >= {{ clip_band }} * upper_limit and avg_value <= upper_limit then 1
                else 0
            end
        ) as band_hours,
        min(
            case
                when is_valid and avg_value >= {{ clip_band }} * upper_limit and avg_value <= upper_limit
                    then data_time
            end
        ) as band_start,
        max(
            case
                when is_valid and avg_value >= {{ clip_band }} * upper_limit and avg_value <= upper_limit
                    then data_time
            end
        ) as band_end,
        max(case when is_valid then avg_value end) as max_value
    from validated
    where not is_flow and pollutant_code <> 'w01001' and upper_limit is not null
    group by outlet_code, pollutant_code, cast({{ date_trunc('month', 'data_date') }} as date)

),

clipped as (

    select
        outlet_code,
        pollutant_code,
        'clipped_below_limit' as pattern_code,
        band_start as start_time,
        band_end as end_time,
        band_hours as evidence_hours,
        max_value as evidence_value,
        {{ concat([
            "'当月'", "cast(valid_hours as " ~ type_string() ~ ")", "'个有效小时中有'",
            "cast(band_hours as " ~ type_string() ~ ")", "'个落在限值'", "cast(upper_limit as " ~ type_string() ~ ")",
            "'的95%~100%之间，最高值'", "cast(max_value as " ~ type_string() ~ ")"
        ]) }} as evidence
    from monthly_values
    where band_hours >= {{ clip_hours }} and band_hours >= {{ clip_share }} * valid_hours

),

monthly_flags as (

    select
        outlet_code,
        cast({{ date_trunc('month', 'data_date') }} as date) as month_start,
        min(data_date) as first_day,
        max(data_date) as last_day,
        sum(received_hours) as received_hours,
        sum(maintenance_hours) as maintenance_hours
    from outlet_days
    group by outlet_code, cast({{ date_trunc('month', 'data_date') }} as date)

),

maintenance_span as (

    select
        outlet_code,
        cast({{ date_trunc('month', 'data_date') }} as date) as month_start,
        coalesce(min(case when flag = 'M' then data_time end), min(data_time)) as first_flagged,
        coalesce(max(case when flag = 'M' then data_time end), max(data_time)) as last_flagged
    from validated
    where flag in ('M', 'C') and not is_flow
    group by outlet_code, cast({{ date_trunc('month', 'data_date') }} as date)

),

maintenance as (

    select
        monthly_flags.outlet_code,
        cast(null as {{ type_string() }}) as pollutant_code,
        'excessive_maintenance_flags' as pattern_code,
        maintenance_span.first_flagged as start_time,
        maintenance_span.last_flagged as end_time,
        monthly_flags.maintenance_hours as evidence_hours,
        cast(monthly_flags.maintenance_hours as {{ type_double() }}) as evidence_value,
        {{ concat([
            "'当月'", "cast(monthly_flags.received_hours as " ~ type_string() ~ ")",
            "'个接收小时中有'", "cast(monthly_flags.maintenance_hours as " ~ type_string() ~ ")",
            "'个小时分析仪标记为维护(M)或校准(C)（仅每周校准约4小时）'"
        ]) }} as evidence
    from monthly_flags
    inner join maintenance_span
        on
            monthly_flags.outlet_code = maintenance_span.outlet_code
            and monthly_flags.month_start = maintenance_span.month_start
    where
        monthly_flags.maintenance_hours >= {{ maintenance_hours }}
        and monthly_flags.maintenance_hours >= {{ maintenance_share }} * monthly_flags.received_hours

),

findings as (

    select * from flatlines
    union all
    select * from zeros
    union all
    select * from clipped
    union all
    select * from maintenance

),

labels as (

    select
        pattern_code,
        pattern_name_zh
    from {{ ref('source_suspicious_patterns') }}

)

select
    cast({{ concat([
        'findings.outlet_code', "'|'", "coalesce(findings.pollutant_code, '-')", "'|'", 'findings.pattern_code',
        "'|'", "cast(findings.start_time as " ~ type_string() ~ ")"
    ]) }} as {{ type_string() }}) as finding_id,
    cast(findings.outlet_code as {{ type_string() }}) as outlet_code,
    cast(outlets.outlet_name as {{ type_string() }}) as outlet_name,
    cast(outlets.enterprise_key as {{ type_string() }}) as enterprise_key,
    cast(outlets.enterprise_name as {{ type_string() }}) as enterprise_name,
    cast(outlets.county_code as {{ type_string() }}) as county_code,
    cast(outlets.county_name_zh as {{ type_string() }}) as county_name_zh,
    cast(findings.pollutant_code as {{ type_string() }}) as pollutant_code,
    cast(limits.pollutant_name_zh as {{ type_string() }}) as pollutant_name_zh,
    cast(findings.pattern_code as {{ type_string() }}) as pattern_code,
    cast(labels.pattern_name_zh as {{ type_string() }}) as pattern_name_zh,
    cast(findings.start_time as {{ type_timestamp() }}) as start_time,
    cast(findings.end_time as {{ type_timestamp() }}) as end_time,
    cast(findings.evidence_hours as {{ type_bigint() }}) as evidence_hours,
    cast(findings.evidence_value as {{ type_double() }}) as evidence_value,
    cast(findings.evidence as {{ type_string() }}) as evidence
from findings
inner join outlets on findings.outlet_code = outlets.outlet_code
left join limits
    on
        outlets.mn = limits.mn
        and findings.pollutant_code = limits.pollutant_code
left join labels on findings.pattern_code = labels.pattern_code

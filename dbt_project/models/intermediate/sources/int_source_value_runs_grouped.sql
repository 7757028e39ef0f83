-- Runs of one concentration value repeated hour after hour: consecutive valid (flag N) hours of an
-- outlet and parameter whose value is identical. A new run starts when the value changes or an hour
-- is missing or not valid (the previous valid value is not the hour before). One row per run of
-- at least 2 hours, with the smallest flow of the outlet in the run's hours. run_no identifies the run
-- within its outlet and parameter: the hour number (hours since 2000-01-01) of its first hour.
--
-- Incremental by day (macros/incremental.sql). A run can cross any number of days, so the rows replaced
-- are the runs that touch a changed day (or its neighbouring hours), and the input read reaches back and
-- forward to the first and last hour of those runs; only runs touching a changed day are written.
{{ config(**incremental_config(
    day=none, span=['run_start', 'run_end'], input='int_source_hourly_values_validated', input_day='data_date',
    on_schema_change='sync_all_columns'
)) }}
{#- sync_all_columns: a table built when run_no was an ordinal (HUGEINT) is altered once. -#}
{%- set days = incremental_days() %}
{%- set read_days = incremental_span_read_days(days) %}

with

validated as (

    select * from {{ ref('int_source_hourly_values_validated') }}
    where {{ day_filter('data_date', read_days) }}

),

concentrations as (

    select
        outlet_code,
        pollutant_code,
        data_time,
        avg_value,
        upper_limit
    from validated
    where is_valid and not is_flow

),

flows as (

    select
        outlet_code,
        data_time,
        avg_value as flow_value
    from validated
    where is_flow

),

marked as (

    select
        outlet_code,
        pollutant_code,
        data_time,
        avg_value,
        upper_limit,
        case
            when
                lag(avg_value) over (partition by outlet_code, pollutant_code order by data_time) = avg_value
                and lag(data_time) over (partition by outlet_code, pollutant_code order by data_time)
                = {{ dateadd('hour', -1, 'data_time') }}
                then 0
            else 1
        end as starts_run
    from concentrations

),

numbered as (

    select
        outlet_code,
        pollutant_code,
        data_time,
        avg_value,
        upper_limit,
        sum(starts_run) over (
            partition by outlet_code, pollutant_code order by data_time rows unbounded preceding
        ) as run_seq
    from marked

)

select
    numbered.outlet_code,
    numbered.pollutant_code,
    {{ datediff("cast('2000-01-01' as timestamp)", 'min(numbered.data_time)', 'hour') }} as run_no,
    min(numbered.avg_value) as run_value,
    min(numbered.upper_limit) as upper_limit,
    min(numbered.data_time) as run_start,
    max(numbered.data_time) as run_end,
    count(*) as run_hours,
    min(flows.flow_value) as min_flow
from numbered
left join flows
    on
        numbered.outlet_code = flows.outlet_code
        and numbered.data_time = flows.data_time
group by numbered.outlet_code, numbered.pollutant_code, numbered.run_seq
having count(*) >= 2 and {{ span_touches_days('min(numbered.data_time)', 'max(numbered.data_time)', days) }}

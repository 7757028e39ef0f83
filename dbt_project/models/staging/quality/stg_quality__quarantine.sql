-- Every quarantine of the lake in one relation, tagged with its dataset and its load-log source.
select
    'hj212' as dataset,
    'monitoring.hj212.air' as source_name,
    cast(date as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(null as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'hj212') }}

union all

select
    'monitoring/air_hourly' as dataset,
    'monitoring.hj212.air' as source_name,
    cast(date as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(null as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'monitoring_air_hourly') }}

union all

select
    'monitoring/air_stations' as dataset,
    'monitoring.registry' as source_name,
    'all' as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(null as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'monitoring_air_stations') }}

union all

select
    'census/industrial_sources' as dataset,
    'census.industrial_sources' as source_name,
    cast(delivery as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(sheet as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'census_industrial_sources') }}

union all

select
    'census/agricultural_sources' as dataset,
    'census.agricultural_sources' as source_name,
    cast(delivery as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(sheet as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'census_agricultural_sources') }}

union all

select
    'census/domestic_sources' as dataset,
    'census.domestic_sources' as source_name,
    cast(delivery as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(sheet as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'census_domestic_sources') }}

union all

select
    'census/centralized_facilities' as dataset,
    'census.centralized_facilities' as source_name,
    cast(delivery as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(sheet as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'census_centralized_facilities') }}

union all

select
    'permits/permit_list' as dataset,
    'permits.permit_list' as source_name,
    cast(export_date as {{ type_string() }}) as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast(null as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', 'permits_permit_list') }}

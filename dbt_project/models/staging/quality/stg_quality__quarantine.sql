-- Every quarantine of the lake in one relation, tagged with its dataset and its load-log source.
-- One row per quarantine table: (source table, dataset, load-log source, partition column, has sheet).
{%- set quarantines = [
    ('hj212', 'hj212', 'monitoring.hj212.air', 'date', false),
    ('monitoring_air_hourly', 'monitoring/air_hourly', 'monitoring.hj212.air', 'date', false),
    ('monitoring_air_stations', 'monitoring/air_stations', 'monitoring.registry', none, false),
    ('census_industrial_sources', 'census/industrial_sources', 'census.industrial_sources', 'delivery', true),
    ('census_agricultural_sources', 'census/agricultural_sources', 'census.agricultural_sources', 'delivery', true),
    ('census_domestic_sources', 'census/domestic_sources', 'census.domestic_sources', 'delivery', true),
    ('census_centralized_facilities', 'census/centralized_facilities', 'census.centralized_facilities',
     'delivery', true),
    ('permits_permit_list', 'permits/permit_list', 'permits.permit_list', 'export_date', false),
    ('lab_soil_points', 'lab/soil_points', 'monitoring.lab.soil_points', none, true),
    ('lab_soil_results', 'lab/soil_results', 'monitoring.lab.soil', 'year', true),
    ('lab_noise_results', 'lab/noise_results', 'monitoring.lab.noise', 'quarter', true),
    ('water_hj212', 'water_hj212', 'monitoring.hj212.water', 'date', false),
    ('water_lab', 'monitoring/water_lab', 'monitoring.lab.water', 'month', false),
    ('water_catalogue', 'monitoring/water_catalogue', 'monitoring.water.catalogue', none, false),
    ('monitoring_source_hj212', 'monitoring/source_hj212', 'monitoring.hj212.sources', 'date', false),
    ('monitoring_source_registry', 'monitoring/source_registry', 'monitoring.sources_registry', none, false),
    ('solidwaste_pages', 'solidwaste/pages', 'solidwaste.platform', none, false),
] %}

{% for table, dataset, source_name, partition_column, has_sheet in quarantines %}
{%- set partition_key = "cast(" ~ partition_column ~ " as " ~ type_string() ~ ")" if partition_column else "'all'" %}
select
    '{{ dataset }}' as dataset,
    '{{ source_name }}' as source_name,
    {{ partition_key }} as partition_key,
    cast(load_id as {{ type_string() }}) as load_id,
    cast(source_file as {{ type_string() }}) as source_file,
    cast({{ 'sheet' if has_sheet else 'null' }} as {{ type_string() }}) as sheet,
    cast(line_no as {{ type_bigint() }}) as line_no,
    cast(raw as {{ type_string() }}) as raw,
    cast(rule as {{ type_string() }}) as rule,
    cast(reason as {{ type_string() }}) as reason
from {{ source('quarantine', table) }}
{% if not loop.last %}
union all
{% endif %}
{% endfor %}

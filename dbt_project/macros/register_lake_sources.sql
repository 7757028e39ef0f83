{#-
    Registers every source table that declares `meta.lake_path` as a relation over the Parquet
    files under $ZTECO_HOME/lake/<lake_path>, so that models read the lake through source() only.
    Called once from `on-run-start` (dbt_project.yml); dispatches per adapter.
-#}
{% macro register_lake_sources() %}
    {{ return(adapter.dispatch('register_lake_sources', 'zteco')()) }}
{% endmacro %}


{#- Source nodes of this project that live in the lake, in a stable order. -#}
{% macro lake_source_nodes() %}
    {% set nodes = [] %}
    {% if execute %}
        {% for node in graph.sources.values() | sort(attribute='unique_id') %}
            {% set meta = node.config.get('meta') or node.meta or {} %}
            {% if node.package_name == project_name and meta.get('lake_path') %}
                {% do nodes.append(node) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(nodes) }}
{% endmacro %}


{% macro lake_location(node) %}
    {% set meta = node.config.get('meta') or node.meta or {} %}
    {% set home = env_var('ZTECO_HOME') | replace('\\', '/') %}
    {{ return((home ~ '/lake/' ~ meta['lake_path']) | replace("'", "''")) }}
{% endmacro %}


{#- Typed empty select from the declared columns: used when a lake folder has no file yet. -#}
{% macro empty_source_select(node) %}
    {% if not node.columns %}
        {{ exceptions.raise_compiler_error(
            'Source ' ~ node.source_name ~ '.' ~ node.name ~ ' declares no columns; cannot register an empty lake table.'
        ) }}
    {% endif %}
    {% set casts = [] %}
    {% for column in node.columns.values() %}
        {% do casts.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) %}
    {% endfor %}
    {{ return('select ' ~ casts | join(', ') ~ ' where 1 = 0') }}
{% endmacro %}


{% macro default__register_lake_sources() %}
    {{ exceptions.raise_compiler_error(
        'register_lake_sources has no implementation for adapter ' ~ target.type
    ) }}
{% endmacro %}


{% macro duckdb__register_lake_sources() %}
    {% for node in zteco.lake_source_nodes() %}
        {% set pattern = zteco.lake_location(node) ~ '/**/*.parquet' %}
        {% set relation = node.schema ~ '.' ~ node.identifier %}
        {% set n_files = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] %}
        {% if n_files > 0 %}
            {% set body %}
                select * from read_parquet('{{ pattern }}', hive_partitioning = true, union_by_name = true)
            {% endset %}
        {% else %}
            {% do log('Lake folder for ' ~ relation ~ ' has no Parquet file yet: registering an empty table.', info=true) %}
            {% set body = zteco.empty_source_select(node) %}
        {% endif %}
        {% do run_query('create schema if not exists ' ~ node.schema) %}
        {% do run_query('create or replace view ' ~ relation ~ ' as ' ~ body) %}
    {% endfor %}
{% endmacro %}


{#- Spark: external Parquet tables with the declared schema; partitions are discovered on every run. -#}
{% macro spark__register_lake_sources() %}
    {% for node in zteco.lake_source_nodes() %}
        {% set meta = node.config.get('meta') or node.meta or {} %}
        {% set relation = node.schema ~ '.' ~ node.identifier %}
        {% set columns = [] %}
        {% for column in node.columns.values() %}
            {% do columns.append(column.name ~ ' ' ~ column.data_type) %}
        {% endfor %}
        {% do run_query('create schema if not exists ' ~ node.schema) %}
        {% set ddl %}
            create table if not exists {{ relation }} ({{ columns | join(', ') }})
            using parquet
            {% if meta.get('partitioned_by') %}partitioned by ({{ meta['partitioned_by'] }}){% endif %}
            location '{{ zteco.lake_location(node) }}'
        {% endset %}
        {% do run_query(ddl) %}
        {% if meta.get('partitioned_by') %}
            {% do run_query('msck repair table ' ~ relation) %}
        {% endif %}
        {% do run_query('refresh table ' ~ relation) %}
    {% endfor %}
{% endmacro %}

{#-
    Incremental hourly models: the unit of rebuild is the day.

    A model declares, in one config call,
        {{ config(**incremental_config(day='date', input='stg_monitoring__air_hourly',
                                       input_day='cast(data_time as date)', dimensions=[...], neighbours=0)) }}
    - day: the model's day expression (a column, or an expression over its columns);
    - input: the model (ref name) whose rows carry `load_id`; input_day: the day of an input row;
    - dimensions: {ref name: [columns]} of the small relations the model joins to every row (registries,
      limits, seeds); when those columns change, every day is rebuilt (an incremental input's own
      dimensions are passed on through its state);
    - neighbours: days either side of a changed day that are rebuilt with it (a rule whose result on
      one day depends on the next or previous day's rows, e.g. a flatline crossing midnight);
    - span: instead of a day, [start, end] timestamp columns of rows that cover several hours (runs):
      the rows replaced are those touching a changed day or the hour either side of it, and the model
      reads its input over incremental_span_read_days(days) and writes only rows where
      span_touches_days(...) holds;
    - on_schema_change: 'fail' (models with an enforced contract need it or append_new_columns).

    The days to rebuild are the days of (day, load_id) pairs of the input that the model has not yet
    built, plus days whose built pair is gone: new or reloaded lake partitions (a reload gets a new
    load_id), late data for an old day, a removed partition. A run with nothing new rebuilds nothing.
    The pairs built are kept in intermediate.incremental_state__<model> (rewritten by the post-hook
    in the model's transaction), so marts without a load_id column work the same way.

    Full build: the first build, --full-refresh, a missing state table, changed dimensions, and always
    when var('as_of') is set (then the model is a plain table and its state is dropped).

    In the model:
        {%- set days = incremental_days() -%}   -- none = every day, [] = nothing, else ISO days
        ... where {{ day_filter('cast(data_time as date)', days, lookback=1) }}
    lookback reads that many days before each rebuilt day (rules over previous hours); the model
    must still return only rows of the rebuilt days.
-#}


{#- The config of an incremental model; the materialization per adapter behind incremental_materialization(). -#}
{% macro incremental_config(day, input, input_day, dimensions={}, neighbours=0, span=none, on_schema_change='fail') %}
    {% set spec = {'day': day, 'input': input, 'input_day': input_day, 'dimensions': dimensions,
                   'neighbours': neighbours, 'span': span} %}
    {% set cfg = {'zteco_incremental': spec,
                  'post_hook': ['{{ zteco.incremental_record_state() }}']} %}
    {% if var('as_of', none) %}
        {% do cfg.update({'materialized': 'table'}) %}
    {% else %}
        {% do cfg.update(zteco.incremental_materialization(day)) %}
        {% do cfg.update({'on_schema_change': on_schema_change}) %}
    {% endif %}
    {{ return(cfg) }}
{% endmacro %}


{% macro incremental_materialization(day) %}
    {{ return(adapter.dispatch('incremental_materialization', 'zteco')(day)) }}
{% endmacro %}

{#- DuckDB (and default): delete the rebuilt days (pre-hook, so a day that now has no row is emptied too), then append. -#}
{% macro default__incremental_materialization(day) %}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append',
               'pre_hook': ['{{ zteco.incremental_delete_days() }}']}) }}
{% endmacro %}

{#- Spark: overwrite the partitions of the rebuilt days; a model whose day is not a column is a table there. -#}
{% macro spark__incremental_materialization(day) %}
    {% if day and modules.re.match('^[a-z_][a-z0-9_]*$', day) %}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
                   'partition_by': [day], 'file_format': 'parquet'}) }}
    {% else %}
        {{ return({'materialized': 'table'}) }}
    {% endif %}
{% endmacro %}


{% macro incremental_state_relation() %}
    {{ return(api.Relation.create(database=this.database, schema='intermediate',
                                  identifier='incremental_state__' ~ this.identifier, type='table')) }}
{% endmacro %}


{#- One text value that changes when the dimensions' columns change. -#}
{% macro incremental_fingerprint(dimensions) %}
    {% set parts = [] %}
    {% for name, columns in dimensions | dictsort %}
        {% set sql = 'select ' ~ zteco.relation_fingerprint_expression(columns) ~ ' from ' ~ ref(name) %}
        {% do parts.append(name ~ '=' ~ run_query(sql).columns[0].values()[0]) %}
    {% endfor %}
    {#- An incremental input passes its own dimensions on: when it was rebuilt whole, so is this model. -#}
    {% set input_state = api.Relation.create(database=this.database, schema='intermediate',
                                             identifier='incremental_state__' ~ ref(config.get('zteco_incremental')['input']).identifier) %}
    {% if adapter.get_relation(database=input_state.database, schema=input_state.schema,
                               identifier=input_state.identifier) is not none %}
        {% set stored = run_query('select max(load_id) from ' ~ input_state ~ ' where day is null').columns[0].values()[0] %}
        {% do parts.append('input=' ~ stored) %}
    {% endif %}
    {{ return('dimensions:' ~ (parts | join(';'))) }}
{% endmacro %}


{#- An aggregate over rows: their count and a sum of the hashes of `columns`, as text. -#}
{% macro relation_fingerprint_expression(columns) %}
    {{ return(adapter.dispatch('relation_fingerprint_expression', 'zteco')(columns)) }}
{% endmacro %}

{% macro default__relation_fingerprint_expression(columns) -%}
    cast(count(*) as {{ type_string() }})
{%- endmacro %}

{% macro duckdb__relation_fingerprint_expression(columns) -%}
    cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash({{ columns | join(', ') }})), 0) as varchar)
{%- endmacro %}

{% macro spark__relation_fingerprint_expression(columns) -%}
    cast(count(*) as string) || ':'
    || cast(coalesce(sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0))), 0) as string)
{%- endmacro %}


{#- The days to rebuild: none = every day (full build), [] = none, else sorted ISO date strings. -#}
{% macro incremental_days() %}
    {#- `this` is none in a unit test: the model is rendered as a full build there. -#}
    {% if not execute or this is none or not is_incremental() or var('as_of', none) %}
        {{ return(none) }}
    {% endif %}
    {% set spec = config.get('zteco_incremental') %}
    {% set state = zteco.incremental_state_relation() %}
    {% if adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) is none %}
        {{ return(none) }}
    {% endif %}
    {% set stored = run_query('select max(load_id) from ' ~ state ~ ' where day is null').columns[0].values()[0] %}
    {% if stored != zteco.incremental_fingerprint(spec['dimensions']) %}
        {{ return(none) }}
    {% endif %}
    {% set sql %}
        with input_pairs as (
            select distinct
                {{ spec['input_day'] }} as day,
                coalesce(load_id, '') as load_id
            from {{ ref(spec['input']) }}
        ),
        built as (
            select day, load_id from {{ state }} where day is not null
        ),
        changed as (
            select input_pairs.day from input_pairs
            left join built on input_pairs.day = built.day and input_pairs.load_id = built.load_id
            where built.day is null
            union
            select built.day from built
            left join input_pairs on built.day = input_pairs.day and built.load_id = input_pairs.load_id
            where input_pairs.day is null
        )
        select distinct cast(day as {{ type_string() }}) as day from changed where day is not null order by 1
    {% endset %}
    {% set changed = run_query(sql).columns[0].values() %}
    {% set days = [] %}
    {% for value in changed %}
        {% set d = modules.datetime.date.fromisoformat(value[:10]) %}
        {% for k in range(-spec['neighbours'], spec['neighbours'] + 1) %}
            {% set iso = (d + modules.datetime.timedelta(days=k)).isoformat() %}
            {% if iso not in days %}{% do days.append(iso) %}{% endif %}
        {% endfor %}
    {% endfor %}
    {{ return(days | sort) }}
{% endmacro %}


{#-
    Predicate: `expression` (a date) is a rebuilt day, or one of the `lookback` days before one.
    `true` on a full build, a false predicate when there is nothing to rebuild.
-#}
{% macro day_filter(expression, days, lookback=0) %}
    {% if days is none %}
        {{ return('true') }}
    {% endif %}
    {% set wanted = [] %}
    {% for value in days %}
        {% set d = modules.datetime.date.fromisoformat(value) %}
        {% for k in range(lookback + 1) %}
            {% set iso = (d - modules.datetime.timedelta(days=k)).isoformat() %}
            {% if iso not in wanted %}{% do wanted.append(iso) %}{% endif %}
        {% endfor %}
    {% endfor %}
    {% if wanted | length == 0 %}
        {{ return('1 = 0') }}
    {% endif %}
    {% set literals = [] %}
    {% for iso in wanted | sort %}
        {% do literals.append("cast('" ~ iso ~ "' as date)") %}
    {% endfor %}
    {{ return(expression ~ ' in (' ~ (literals | join(', ')) ~ ')') }}
{% endmacro %}


{#- Consecutive ISO days merged into [first, last] ranges. -#}
{% macro day_ranges(days) %}
    {% set ranges = [] %}
    {% for value in days | sort %}
        {% set d = modules.datetime.date.fromisoformat(value) %}
        {% if ranges and ranges[-1][1] + modules.datetime.timedelta(days=1) == d %}
            {% do ranges[-1].pop() %}
            {% do ranges[-1].append(d) %}
        {% else %}
            {% do ranges.append([d, d]) %}
        {% endif %}
    {% endfor %}
    {{ return(ranges) }}
{% endmacro %}


{#-
    Predicate: the hours start_expr..end_expr (timestamps) touch a rebuilt day or the hour either side of
    it (a run ending at 23:00 the day before, or starting at 00:00 the day after, may join the day's hours).
-#}
{% macro span_touches_days(start_expr, end_expr, days) %}
    {% if days is none %}
        {{ return('true') }}
    {% endif %}
    {% if days | length == 0 %}
        {{ return('1 = 0') }}
    {% endif %}
    {% set terms = [] %}
    {% for r in zteco.day_ranges(days) %}
        {% do terms.append(zteco.span_touches_range(start_expr, end_expr, r)) %}
    {% endfor %}
    {{ return('(' ~ (terms | join(' or ')) ~ ')') }}
{% endmacro %}

{% macro span_touches_range(start_expr, end_expr, day_range) %}
    {% set lower = (day_range[0] - modules.datetime.timedelta(days=1)).isoformat() ~ ' 23:00:00' %}
    {% set upper = (day_range[1] + modules.datetime.timedelta(days=1)).isoformat() ~ ' 00:00:00' %}
    {{ return('(' ~ end_expr ~ " >= cast('" ~ lower ~ "' as " ~ type_timestamp() ~ ') and '
              ~ start_expr ~ " <= cast('" ~ upper ~ "' as " ~ type_timestamp() ~ '))') }}
{% endmacro %}


{#-
    Days of input a span model reads: per range of rebuilt days, from the first day of the runs in
    {{ this }} that touch it (and the day before) to the last day of those runs (and the day after).
-#}
{% macro incremental_span_read_days(days) %}
    {% if days is none or days | length == 0 %}
        {{ return(days) }}
    {% endif %}
    {% set spec = config.get('zteco_incremental') %}
    {% set ranges = zteco.day_ranges(days) %}
    {% set parts = [] %}
    {% for r in ranges %}
        {% do parts.append('select ' ~ loop.index0 ~ ' as range_no, cast(cast(min(' ~ spec['span'][0] ~ ') as date) as '
            ~ type_string() ~ ') as first_day, cast(cast(max(' ~ spec['span'][1] ~ ') as date) as ' ~ type_string()
            ~ ') as last_day from ' ~ this ~ ' where ' ~ zteco.span_touches_range(spec['span'][0], spec['span'][1], r)) %}
    {% endfor %}
    {% set table = run_query(parts | join(' union all ')) %}
    {% set read = [] %}
    {% for row in table.rows %}
        {% set r = ranges[row[0] | int] %}
        {% set first = r[0] - modules.datetime.timedelta(days=1) %}
        {% set last = r[1] + modules.datetime.timedelta(days=1) %}
        {% if row[1] %}
            {% set run_first = modules.datetime.date.fromisoformat(row[1][:10]) %}
            {% if run_first < first %}{% set first = run_first %}{% endif %}
        {% endif %}
        {% if row[2] %}
            {% set run_last = modules.datetime.date.fromisoformat(row[2][:10]) %}
            {% if run_last > last %}{% set last = run_last %}{% endif %}
        {% endif %}
        {% for k in range((last - first).days + 1) %}
            {% set iso = (first + modules.datetime.timedelta(days=k)).isoformat() %}
            {% if iso not in read %}{% do read.append(iso) %}{% endif %}
        {% endfor %}
    {% endfor %}
    {{ return(read | sort) }}
{% endmacro %}


{#- Pre-hook (DuckDB): remove the rows of the days about to be rebuilt. -#}
{% macro incremental_delete_days() %}
    {% if execute and this is not none and is_incremental() %}
        {% set days = zteco.incremental_days() %}
        {% set spec = config.get('zteco_incremental') %}
        {% if days is none %}
            delete from {{ this }}
        {% elif days | length > 0 and spec['span'] %}
            delete from {{ this }} where {{ zteco.span_touches_days(spec['span'][0], spec['span'][1], days) }}
        {% elif days | length > 0 %}
            delete from {{ this }} where {{ zteco.day_filter(spec['day'], days) }}
        {% endif %}
    {% endif %}
{% endmacro %}


{#- Post-hook: the (day, load_id) pairs and the dimensions now built; dropped on an as_of (table) build. -#}
{% macro incremental_record_state() %}
    {% if not execute or this is none %}
        {{ return('') }}
    {% endif %}
    {% set state = zteco.incremental_state_relation() %}
    {% do run_query('drop table if exists ' ~ state) %}
    {% if not var('as_of', none) %}
        {% set spec = config.get('zteco_incremental') %}
        create table {{ state }} as
        select distinct
            {{ spec['input_day'] }} as day,
            coalesce(load_id, '') as load_id
        from {{ ref(spec['input']) }}
        where {{ spec['input_day'] }} is not null
        union all
        select
            cast(null as date) as day,
            '{{ zteco.incremental_fingerprint(spec['dimensions']) }}' as load_id
    {% endif %}
{% endmacro %}

{#-
    Every dialect-specific piece of SQL the models need, one small dispatch macro each, so the same
    models build on DuckDB and on Spark (dbt-spark). See ../shared/STACK.md, "Portability".
-#}


{#- 64-bit float: dbt.type_float() is 32-bit on both DuckDB and Spark. -#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'zteco')()) }}
{% endmacro %}

{% macro default__type_double() %}double precision{% endmacro %}

{% macro duckdb__type_double() %}double{% endmacro %}

{% macro spark__type_double() %}double{% endmacro %}


{#-
    Round half away from zero to `scale` digits, returned as a double. Going through DECIMAL makes
    2.675 -> 2.68 on every engine (rounding the binary double directly does not agree across engines).
-#}
{% macro round_half_up(expression, scale) %}
    {{ return(adapter.dispatch('round_half_up', 'zteco')(expression, scale)) }}
{% endmacro %}

{% macro default__round_half_up(expression, scale) -%}
    cast(round(cast({{ expression }} as decimal(38, 9)), {{ scale }}) as {{ zteco.type_double() }})
{%- endmacro %}


{#- Smallest integer >= expression, as an integer. Spark's ceil returns BIGINT, DuckDB's a DOUBLE. -#}
{% macro ceiling_int(expression) %}
    {{ return(adapter.dispatch('ceiling_int', 'zteco')(expression)) }}
{% endmacro %}

{% macro default__ceiling_int(expression) -%}
    cast(ceil({{ expression }}) as integer)
{%- endmacro %}

{% macro spark__ceiling_int(expression) -%}
    cast(ceil({{ expression }}) as int)
{%- endmacro %}


{#-
    Percentile with linear interpolation between closest ranks, as an aggregate:
    k = 1 + (n - 1)p, value = X(s) + (X(s+1) - X(s))(k - s) -- the HJ 663-2013 definition.
-#}
{% macro percentile_cont(expression, fraction) %}
    {{ return(adapter.dispatch('percentile_cont', 'zteco')(expression, fraction)) }}
{% endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- Distinct non-null values, sorted ascending, joined with `delimiter` (an aggregate). -#}
{% macro string_agg_distinct_sorted(expression, delimiter) %}
    {{ return(adapter.dispatch('string_agg_distinct_sorted', 'zteco')(expression, delimiter)) }}
{% endmacro %}

{% macro default__string_agg_distinct_sorted(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__string_agg_distinct_sorted(expression, delimiter) -%}
    nullif(array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}'), '')
{%- endmacro %}


{#- A DATE from integer year, month and day. -#}
{% macro date_from_parts(year, month, day) %}
    {{ return(adapter.dispatch('date_from_parts', 'zteco')(year, month, day)) }}
{% endmacro %}

{% macro default__date_from_parts(year, month, day) -%}
    make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}


{#- Hour of day (0-23) of a timestamp, as an integer. -#}
{% macro hour_of_day(timestamp) %}
    {{ return(adapter.dispatch('hour_of_day', 'zteco')(timestamp)) }}
{% endmacro %}

{% macro default__hour_of_day(timestamp) -%}
    cast(extract(hour from {{ timestamp }}) as integer)
{%- endmacro %}

{% macro spark__hour_of_day(timestamp) -%}
    hour({{ timestamp }})
{%- endmacro %}


{#- Set-returning select-list expression: one row per integer from `first` to `last` inclusive. -#}
{% macro explode_integer_range(first, last) %}
    {{ return(adapter.dispatch('explode_integer_range', 'zteco')(first, last)) }}
{% endmacro %}

{% macro default__explode_integer_range(first, last) -%}
    generate_series({{ first }}, {{ last }})
{%- endmacro %}

{% macro duckdb__explode_integer_range(first, last) -%}
    unnest(generate_series({{ first }}, {{ last }}))
{%- endmacro %}

{% macro spark__explode_integer_range(first, last) -%}
    explode(sequence({{ first }}, {{ last }}))
{%- endmacro %}


{#-
    An enterprise name reduced for matching: white space (ASCII and full-width U+3000, written as the character itself: RE2 has no \u escape), brackets (ASCII and
    full-width) and the company-form suffixes 股份有限公司 / 有限责任公司 / 有限公司 removed, lower case.
    "昭通鑫源（集团）有限责任公司" and "昭通鑫源(集团) 有限公司" both become "昭通鑫源集团".
    DuckDB (RE2) needs the 'g' flag to replace every match; Spark (Java regex) replaces all by default.
-#}
{% macro normalise_enterprise_name(expression) %}
    {{ return(adapter.dispatch('normalise_enterprise_name', 'zteco')(expression)) }}
{% endmacro %}

{% macro enterprise_name_pattern() -%}
    '[[:space:]　()（）\[\]【】]|股份有限公司|有限责任公司|有限公司'
{%- endmacro %}

{% macro default__normalise_enterprise_name(expression) -%}
    lower(regexp_replace({{ expression }}, {{ zteco.enterprise_name_pattern() }}, '', 'g'))
{%- endmacro %}

{% macro spark__normalise_enterprise_name(expression) -%}
    lower(regexp_replace({{ expression }}, '[\\s　()（）\\[\\]【】]|股份有限公司|有限责任公司|有限公司', ''))
{%- endmacro %}


{#-
    The build's "now" in local (China Standard) time as a naive timestamp, comparable with HJ 212
    DataTime (local time). Used as the default as-of of fct_source_freshness.
-#}
{% macro local_now() %}
    {{ return(adapter.dispatch('local_now', 'zteco')()) }}
{% endmacro %}

{% macro default__local_now() -%}
    cast(current_timestamp as timestamp)
{%- endmacro %}

{% macro duckdb__local_now() -%}
    cast(timezone('Asia/Shanghai', current_timestamp) as timestamp)
{%- endmacro %}

{% macro spark__local_now() -%}
    from_utc_timestamp(current_timestamp(), 'Asia/Shanghai')
{%- endmacro %}


{#- Hours from `start` to `finish` (timestamps), as a double. -#}
{% macro hours_between(start, finish) %}
    {{ return(adapter.dispatch('hours_between', 'zteco')(start, finish)) }}
{% endmacro %}

{% macro default__hours_between(start, finish) -%}
    (cast({{ datediff(start, finish, 'second') }} as {{ zteco.type_double() }}) / 3600.0)
{%- endmacro %}

{% macro spark__hours_between(start, finish) -%}
    ((unix_timestamp({{ finish }}) - unix_timestamp({{ start }})) / 3600.0)
{%- endmacro %}

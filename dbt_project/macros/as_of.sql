{#-
    "As known on" a date: with `--vars '{as_of: "<timestamp>"}'` (set by `zteco evaluate --as-of`), every model
    over data with an arrival time (a load's loaded_at, a platform record's fetched_at, a county file's
    received_at) keeps only what had arrived by then. Without the var everything is kept.

    as_of_timestamp(): the var as a SQL timestamp literal, or none.
    known_as_of(column): a boolean SQL predicate `column <= as_of` (the literal `true` without the var),
    to be and-ed into a where clause.
-#}
{% macro as_of_timestamp() %}
    {%- set value = var('as_of', none) -%}
    {%- if value -%}
        {{ return("cast('" ~ value ~ "' as " ~ type_timestamp() ~ ")") }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{% endmacro %}


{% macro known_as_of(column) %}
    {%- set literal = as_of_timestamp() -%}
    {%- if literal -%}
        ({{ column }} <= {{ literal }})
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

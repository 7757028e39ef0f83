{#- Marts land in the target schema (`main`, read by dashboards); layers that set a custom
    schema (staging, intermediate, seeds) use it verbatim instead of dbt's `<target>_<custom>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#-
    Scalar subquery giving the method version label written on a result, e.g. 'HJ 663-2013', from
    the method_versions seed: '<standard>-<version>' of the given method codes, sorted, '; '-joined.
    A new edition of a standard is a seed change, not a code change.
-#}
{% macro method_version(method_codes) -%}
    (
        select {{ string_agg_distinct_sorted(dbt.concat(['standard', "'-'", 'version']), '; ') }}
        from {{ ref('method_versions') }}
        where method_code in ('{{ method_codes | join("', '") }}')
    )
{%- endmacro %}

{#-
    The warehouse's enterprise id: 'ENT' + the first 12 hex digits (upper case) of the MD5 of the
    enterprise's matching key ('C|<credit code>', 'N|<county>|<normalised name>' or
    'R|<source>|<record>', see int_enterprise_records_matched). Stable across runs for the same key.
-#}
{% macro enterprise_id(key_expression) -%}
    {{ dbt.concat(["'ENT'", 'upper(substr(' ~ dbt.hash(key_expression) ~ ', 1, 12))']) }}
{%- endmacro %}


{#- The census emission measures (lake column names, schema units: t, heavy metals kg). -#}
{% macro census_emission_measures() -%}
    {{ return(['cod_t', 'nh3n_t', 'tn_t', 'tp_t', 'so2_t', 'nox_t', 'particulates_t', 'vocs_t', 'heavy_metals_kg',
               'hazardous_waste_t']) }}
{%- endmacro %}

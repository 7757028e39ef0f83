{#-
    The CTEs `history` (every version of a platform record) and `ranked` (with version_rank 1 = the latest
    version by the platform's updated_at, then fetch time, and version_count) over a *_history staging
    model of the solid-waste platform. Portable window functions only (Spark has them too).
-#}
{% macro latest_record_versions(history_relation) %}
history as (

    select * from {{ history_relation }}

),

ranked as (

    select
        history.*,
        row_number() over (
            partition by history.record_key
            order by history.updated_at desc, history.fetched_at desc
        ) as version_rank,
        count(*) over (partition by history.record_key) as version_count
    from history

)
{% endmacro %}


{#-
    As known then: with `--vars '{solidwaste_as_of: "<timestamp>"}'` (or the project-wide `as_of`, macros/as_of.sql) a *_history staging model keeps only the
    versions the connector had fetched by that time (empty without the var).
-#}
{% macro solidwaste_as_of_filter() %}
    {%- set value = var('solidwaste_as_of', none) or var('as_of', none) %}
    {%- if value %}
    where fetched_at <= cast('{{ value }}' as {{ type_timestamp() }})
    {%- endif %}
{% endmacro %}

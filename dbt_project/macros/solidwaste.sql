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

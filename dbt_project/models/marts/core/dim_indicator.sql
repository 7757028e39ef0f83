with

registry as (

    select
        code,
        name_zh,
        name_en,
        domain,
        unit,
        direction,
        kind,
        areas,
        source_family,
        target_2025,
        checkpoint_2023,
        target_source,
        department_zh,
        definition,
        baseline_year,
        baseline_value
    from {{ ref('indicator_registry') }}

)

select * from registry

-- GB 3838-2002 class of every sample: each monthly lab sample (all parameters measured) and each
-- 4-hourly automatic-station value set (its valid values only: flag N), with the deciding parameter.

with

sections as (

    select
        section_code,
        water_body
    from {{ ref('stg_monitoring__water_sections') }}

),

sample_values as (

    select
        lab.section_code,
        'lab' as sample_source,
        cast(lab.sample_date as {{ type_timestamp() }}) as sampled_at,
        lab.parameter,
        lab.value,
        sections.water_body
    from {{ ref('int_water_lab_results_deduplicated') }} as lab
    inner join sections on lab.section_code = sections.section_code

    union all

    select
        auto.section_code,
        'auto' as sample_source,
        auto.data_time as sampled_at,
        auto.parameter,
        auto.value,
        sections.water_body
    from {{ ref('int_water_auto_values_unpivoted') }} as auto
    inner join sections on auto.section_code = sections.section_code
    where auto.is_valid

),

classified as (

    {{ gb3838_classify('sample_values', ['section_code', 'sample_source', 'sampled_at']) }}

)

select
    section_code,
    sample_source,
    sampled_at,
    water_class,
    deciding_parameter
from classified

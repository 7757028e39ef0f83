-- Lab results, one row per section, sampling day and parameter: the latest load wins when a
-- sample was loaded more than once.

with

ranked as (

    select
        section_code,
        sample_date,
        parameter,
        value,
        below_detection_limit,
        load_id,
        row_number() over (
            partition by section_code, sample_date, parameter
            order by load_id desc, source_file desc, line_no desc
        ) as load_rank
    from {{ ref('stg_monitoring__water_lab_results') }}

)

select
    section_code,
    sample_date,
    parameter,
    value,
    below_detection_limit,
    load_id
from ranked
where load_rank = 1

-- One row per soil sample: the worst class over its metals and the metal that decided it (the first
-- metal, in the standard's order, with the worst class; NULL when every metal is <= screening).

with

metals as (

    select * from {{ ref('int_soil_metals_classified') }}

),

ranked as (

    select
        *,
        row_number() over (partition by sample_id order by class_rank desc, metal_order asc) as worst_order,
        count(*) over (partition by sample_id) as metals_assessed,
        sum(case when below_dl then 1 else 0 end) over (partition by sample_id) as metals_below_dl
    from metals

)

select
    sample_id,
    point_code,
    county_code,
    point_type,
    land_use,
    sampled_on,
    year,
    ph,
    ph_band,
    class_rank,
    metals_assessed,
    metals_below_dl,
    load_id,
    source_file,
    line_no,
    case
        when point_type = 'farmland' and class_rank = 1 then 'priority_protection'
        when point_type = 'farmland' and class_rank = 2 then 'safe_use'
        when point_type = 'farmland' then 'strict_control'
        when class_rank = 1 then 'below_screening'
        when class_rank = 2 then 'above_screening'
        else 'above_control'
    end as soil_class,
    case
        when point_type = 'farmland' and class_rank = 1 then '优先保护类'
        when point_type = 'farmland' and class_rank = 2 then '安全利用类'
        when point_type = 'farmland' then '严格管控类'
        when class_rank = 1 then '低于筛选值'
        when class_rank = 2 then '超筛选值未超管制值'
        else '超管制值'
    end as soil_class_zh,
    case when class_rank > 1 then metal end as deciding_metal,
    case when class_rank > 1 then value_mg_kg end as deciding_value_mg_kg,
    case when class_rank > 1 then screening_value end as deciding_screening_value,
    case when class_rank > 1 then control_value end as deciding_control_value
from ranked
where worst_order = 1

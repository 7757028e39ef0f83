with

counties as (

    select
        area_code,
        area_name_zh,
        area_name_en,
        area_level,
        parent_code,
        sort_order
    from {{ ref('counties') }}

)

select
    cast(area_code as {{ type_string() }}) as area_code,
    cast(area_name_zh as {{ type_string() }}) as area_name_zh,
    cast(area_name_en as {{ type_string() }}) as area_name_en,
    cast(area_level as {{ type_string() }}) as area_level,
    cast(parent_code as {{ type_string() }}) as parent_code,
    cast(sort_order as integer) as sort_order
from counties

-- The counties each reporting area is made of: a county stands for itself, the city for all its
-- counties. Join county-level facts on county_code and group by area_code to get county and city
-- figures from one query (the city is the sum over its counties, never an average of rates).

with

counties as (

    select
        area_code,
        parent_code
    from {{ ref('counties') }}
    where area_level = 'county'

)

select
    area_code,
    area_code as county_code
from counties

union all

select
    parent_code as area_code,
    area_code as county_code
from counties

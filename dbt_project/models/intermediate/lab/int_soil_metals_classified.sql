-- Each assessed metal of a sample against its standard: GB 15618-2018 (farmland: screening value by
-- metal, land use and pH band; control value for Cd Hg As Pb Cr) or GB 36600-2018 (construction land:
-- screening and control value by land type). class_rank 1: <= screening (or below the detection
-- limit); 2: above screening, <= control (or no control value); 3: above control.

with

metals as (

    select * from {{ ref('int_soil_metal_results_unpivoted') }}

),

farmland_limits as (

    select * from {{ ref('gb15618_limits') }}

),

construction_limits as (

    select * from {{ ref('gb36600_limits') }}

),

limited as (

    select
        metals.sample_id,
        metals.point_code,
        metals.county_code,
        metals.point_type,
        metals.land_use,
        metals.sampled_on,
        metals.ph,
        metals.load_id,
        metals.source_file,
        metals.line_no,
        metals.metal,
        metals.metal_order,
        metals.value_mg_kg,
        metals.below_dl,
        metals.year,
        metals.ph_band,
        farmland_limits.screening_value,
        farmland_limits.control_value
    from metals
    inner join farmland_limits
        on
            metals.metal = farmland_limits.metal
            and metals.ph_band = farmland_limits.ph_band
            and farmland_limits.land_use = case
                when metals.metal in ('ni', 'zn') then 'any'
                when metals.metal = 'cu' and metals.land_use = 'orchard' then 'orchard'
                when metals.metal = 'cu' then 'other'
                when metals.land_use = 'paddy' then 'paddy'
                else 'other'
            end
    where metals.point_type = 'farmland'

    union all

    select
        metals.sample_id,
        metals.point_code,
        metals.county_code,
        metals.point_type,
        metals.land_use,
        metals.sampled_on,
        metals.ph,
        metals.load_id,
        metals.source_file,
        metals.line_no,
        metals.metal,
        metals.metal_order,
        metals.value_mg_kg,
        metals.below_dl,
        metals.year,
        metals.ph_band,
        construction_limits.screening_value,
        construction_limits.control_value
    from metals
    inner join construction_limits
        on
            metals.metal = construction_limits.metal
            and metals.land_use = construction_limits.land_type
    where metals.point_type = 'construction'

)

select
    *,
    case
        when below_dl or value_mg_kg <= screening_value then 1
        when control_value is null or value_mg_kg <= control_value then 2
        else 3
    end as class_rank
from limited

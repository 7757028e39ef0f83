-- One row per soil point and sampling: GB 15618-2018 (farmland) or GB 36600-2018 (construction land)
-- class of the sample, with the metal that decided it and that metal's limits.

with

samples as (

    select * from {{ ref('int_soil_samples_classified') }}

),

points as (

    select
        point_code,
        max(point_name) as point_name,
        max(longitude) as longitude,
        max(latitude) as latitude
    from {{ ref('stg_lab__soil_points') }}
    group by point_code

),

areas as (

    select
        area_code,
        area_name_zh
    from {{ ref('counties') }}

)

select
    cast(samples.sample_id as {{ type_string() }}) as sample_id,
    cast(samples.point_code as {{ type_string() }}) as point_code,
    cast(points.point_name as {{ type_string() }}) as point_name,
    cast(samples.county_code as {{ type_string() }}) as county_code,
    cast(areas.area_name_zh as {{ type_string() }}) as county_name_zh,
    cast(samples.point_type as {{ type_string() }}) as point_type,
    cast(samples.land_use as {{ type_string() }}) as land_use,
    cast(samples.sampled_on as date) as sampled_on,
    cast(samples.year as integer) as year,
    cast(samples.ph as {{ type_double() }}) as ph,
    cast(samples.class_rank as integer) as class_rank,
    cast(samples.soil_class as {{ type_string() }}) as soil_class,
    cast(samples.soil_class_zh as {{ type_string() }}) as soil_class_zh,
    cast(samples.deciding_metal as {{ type_string() }}) as deciding_metal,
    cast(samples.deciding_value_mg_kg as {{ type_double() }}) as deciding_value_mg_kg,
    cast(samples.deciding_screening_value as {{ type_double() }}) as deciding_screening_value,
    cast(samples.deciding_control_value as {{ type_double() }}) as deciding_control_value,
    cast(samples.metals_assessed as integer) as metals_assessed,
    cast(samples.metals_below_dl as integer) as metals_below_dl,
    cast(
        case
            when samples.point_type = 'farmland' then {{ method_version(['gb15618_farmland_soil']) }}
            else {{ method_version(['gb36600_construction_soil']) }}
        end as {{ type_string() }}
    ) as method_version,
    cast(samples.load_id as {{ type_string() }}) as load_id,
    cast(samples.source_file as {{ type_string() }}) as source_file,
    cast(samples.line_no as {{ type_bigint() }}) as line_no,
    cast(points.longitude as {{ type_double() }}) as longitude,
    cast(points.latitude as {{ type_double() }}) as latitude
from samples
left join points on samples.point_code = points.point_code
left join areas on samples.county_code = areas.area_code

-- The census 2017 emissions baseline per area (each county and the city) and source category
-- (工业源, 集中式污染治理设施, 农业源, 生活源). Mass in t, heavy metals in kg. Industrial sources and
-- facilities count each enterprise once (int_census_enterprises_deduplicated) in its census county;
-- agricultural loads sum crop farming, livestock and aquaculture (TN, TP; COD and NH3-N from livestock
-- and aquaculture; an empty part counts as 0 within its county's sum). A pollutant a category does
-- not report is NULL, not 0. Rows exist only where the census delivered data.

with

enterprises as (

    select * from {{ ref('int_census_enterprises_deduplicated') }}

),

agricultural as (

    select * from {{ ref('stg_census__agricultural_sources') }}
    where delivery = (select max(a.delivery) from {{ ref('stg_census__agricultural_sources') }} as a)

),

domestic as (

    select * from {{ ref('stg_census__domestic_sources') }}
    where delivery = (select max(d.delivery) from {{ ref('stg_census__domestic_sources') }} as d)

),

county_rows as (

    select
        county_code,
        record_kind as source_category,
        sum(cod_t) as cod_t,
        sum(nh3n_t) as nh3n_t,
        sum(tn_t) as tn_t,
        sum(tp_t) as tp_t,
        sum(so2_t) as so2_t,
        sum(nox_t) as nox_t,
        sum(particulates_t) as particulates_t,
        sum(vocs_t) as vocs_t,
        sum(heavy_metals_kg) as heavy_metals_kg,
        count(*) as unit_count,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from enterprises
    group by county_code, record_kind

    union all

    select
        county_code,
        'agricultural' as source_category,
        sum(coalesce(livestock_cod_t, 0) + coalesce(aquaculture_cod_t, 0)) as cod_t,
        sum(coalesce(livestock_nh3n_t, 0) + coalesce(aquaculture_nh3n_t, 0)) as nh3n_t,
        sum(coalesce(crop_tn_t, 0) + coalesce(livestock_tn_t, 0) + coalesce(aquaculture_tn_t, 0)) as tn_t,
        sum(coalesce(crop_tp_t, 0) + coalesce(livestock_tp_t, 0) + coalesce(aquaculture_tp_t, 0)) as tp_t,
        cast(null as {{ type_double() }}) as so2_t,
        cast(null as {{ type_double() }}) as nox_t,
        cast(null as {{ type_double() }}) as particulates_t,
        cast(null as {{ type_double() }}) as vocs_t,
        cast(null as {{ type_double() }}) as heavy_metals_kg,
        cast(null as {{ type_bigint() }}) as unit_count,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from agricultural
    group by county_code

    union all

    select
        county_code,
        'domestic' as source_category,
        sum(cod_t) as cod_t,
        sum(nh3n_t) as nh3n_t,
        sum(tn_t) as tn_t,
        sum(tp_t) as tp_t,
        sum(so2_t) as so2_t,
        sum(nox_t) as nox_t,
        sum(particulates_t) as particulates_t,
        sum(vocs_t) as vocs_t,
        cast(null as {{ type_double() }}) as heavy_metals_kg,
        cast(null as {{ type_bigint() }}) as unit_count,
        {{ string_agg_distinct_sorted('load_id', ',') }} as load_ids
    from domestic
    group by county_code

),

areas as (

    select
        area_code,
        county_code
    from {{ ref('int_area_counties_listed') }}

),

area_rows as (

    select
        areas.area_code,
        county_rows.source_category,
        sum(county_rows.cod_t) as cod_t,
        sum(county_rows.nh3n_t) as nh3n_t,
        sum(county_rows.tn_t) as tn_t,
        sum(county_rows.tp_t) as tp_t,
        sum(county_rows.so2_t) as so2_t,
        sum(county_rows.nox_t) as nox_t,
        sum(county_rows.particulates_t) as particulates_t,
        sum(county_rows.vocs_t) as vocs_t,
        sum(county_rows.heavy_metals_kg) as heavy_metals_kg,
        sum(county_rows.unit_count) as unit_count,
        max(county_rows.load_ids) as load_ids
    from county_rows
    inner join areas on county_rows.county_code = areas.county_code
    group by areas.area_code, county_rows.source_category

)

select
    cast(area_rows.area_code as {{ type_string() }}) as area_code,
    cast(area_rows.source_category as {{ type_string() }}) as source_category,
    cast(categories.name_zh as {{ type_string() }}) as source_category_zh,
    cast(2017 as integer) as base_year,
    cast({{ round_half_up('area_rows.cod_t', 3) }} as {{ type_double() }}) as cod_t,
    cast({{ round_half_up('area_rows.nh3n_t', 3) }} as {{ type_double() }}) as nh3n_t,
    cast({{ round_half_up('area_rows.tn_t', 3) }} as {{ type_double() }}) as tn_t,
    cast({{ round_half_up('area_rows.tp_t', 3) }} as {{ type_double() }}) as tp_t,
    cast({{ round_half_up('area_rows.so2_t', 3) }} as {{ type_double() }}) as so2_t,
    cast({{ round_half_up('area_rows.nox_t', 3) }} as {{ type_double() }}) as nox_t,
    cast({{ round_half_up('area_rows.particulates_t', 3) }} as {{ type_double() }}) as particulates_t,
    cast({{ round_half_up('area_rows.vocs_t', 3) }} as {{ type_double() }}) as vocs_t,
    cast({{ round_half_up('area_rows.heavy_metals_kg', 3) }} as {{ type_double() }}) as heavy_metals_kg,
    cast(area_rows.unit_count as integer) as unit_count,
    cast({{ method_version(['census_2017']) }} as {{ type_string() }}) as method_version,
    cast(area_rows.load_ids as {{ type_string() }}) as load_ids
from area_rows
left join {{ ref('census_source_categories') }} as categories
    on area_rows.source_category = categories.source_category

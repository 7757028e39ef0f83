with

source as (

    select * from {{ source('lab', 'soil_results') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(sheet as {{ type_string() }}) as sheet,
        cast(line_no as {{ type_bigint() }}) as line_no,
        cast(sample_id as {{ type_string() }}) as sample_id,
        cast(point_code as {{ type_string() }}) as point_code,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(point_type as {{ type_string() }}) as point_type,
        cast(land_use as {{ type_string() }}) as land_use,
        cast(sampled_on as date) as sampled_on,
        cast(ph as {{ type_double() }}) as ph,
        cast(cd_mg_kg as {{ type_double() }}) as cd_mg_kg,
        cast(hg_mg_kg as {{ type_double() }}) as hg_mg_kg,
        cast(as_mg_kg as {{ type_double() }}) as as_mg_kg,
        cast(pb_mg_kg as {{ type_double() }}) as pb_mg_kg,
        cast(cr_mg_kg as {{ type_double() }}) as cr_mg_kg,
        cast(cu_mg_kg as {{ type_double() }}) as cu_mg_kg,
        cast(ni_mg_kg as {{ type_double() }}) as ni_mg_kg,
        cast(zn_mg_kg as {{ type_double() }}) as zn_mg_kg,
        cast(cr6_mg_kg as {{ type_double() }}) as cr6_mg_kg,
        cast(cd_below_dl as boolean) as cd_below_dl,
        cast(hg_below_dl as boolean) as hg_below_dl,
        cast(as_below_dl as boolean) as as_below_dl,
        cast(pb_below_dl as boolean) as pb_below_dl,
        cast(cr_below_dl as boolean) as cr_below_dl,
        cast(cu_below_dl as boolean) as cu_below_dl,
        cast(ni_below_dl as boolean) as ni_below_dl,
        cast(zn_below_dl as boolean) as zn_below_dl,
        cast(cr6_below_dl as boolean) as cr6_below_dl,
        cast(below_detection as {{ type_string() }}) as below_detection,
        cast(year as {{ type_bigint() }}) as year

    from source

)

-- As known on the as_of var (macros/as_of.sql): a sample taken after it cannot have arrived by then
-- (the lab files carry no receipt time, so the sampling date is the cut).
select * from renamed
where {{ known_as_of('sampled_on') }}

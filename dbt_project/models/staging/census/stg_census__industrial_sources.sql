with

source as (

    select * from {{ source('census', 'industrial_sources') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(sheet as {{ type_string() }}) as sheet_name,
        cast(row_no as {{ type_bigint() }}) as row_no,
        cast(source_record_id as {{ type_string() }}) as source_record_id,
        cast(credit_code as {{ type_string() }}) as credit_code,
        cast(credit_code_raw as {{ type_string() }}) as credit_code_raw,
        cast(credit_code_problem as {{ type_string() }}) as credit_code_problem,
        cast(name as {{ type_string() }}) as name,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(county_raw as {{ type_string() }}) as county_raw,
        cast(industry_code as {{ type_string() }}) as industry_code,
        cast(industry_name as {{ type_string() }}) as industry_name,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(latitude as {{ type_double() }}) as latitude,
        cast(permit_no as {{ type_string() }}) as permit_no,
        cast(wastewater_m3 as {{ type_double() }}) as wastewater_m3,
        cast(cod_t as {{ type_double() }}) as cod_t,
        cast(nh3n_t as {{ type_double() }}) as nh3n_t,
        cast(so2_t as {{ type_double() }}) as so2_t,
        cast(nox_t as {{ type_double() }}) as nox_t,
        cast(particulates_t as {{ type_double() }}) as particulates_t,
        cast(vocs_t as {{ type_double() }}) as vocs_t,
        cast(heavy_metals_kg as {{ type_double() }}) as heavy_metals_kg,
        cast(general_solid_waste_t as {{ type_double() }}) as general_solid_waste_t,
        cast(hazardous_waste_t as {{ type_double() }}) as hazardous_waste_t,
        cast(dq_flags as {{ type_string() }}) as dq_flags,
        cast(delivery as {{ type_string() }}) as delivery

    from source

)

select * from renamed

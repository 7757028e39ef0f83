with

source as (

    select * from {{ source('census', 'centralized_facilities') }}

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
        cast(wastewater_m3 as {{ type_double() }}) as wastewater_m3,
        cast(cod_t as {{ type_double() }}) as cod_t,
        cast(nh3n_t as {{ type_double() }}) as nh3n_t,
        cast(tn_t as {{ type_double() }}) as tn_t,
        cast(tp_t as {{ type_double() }}) as tp_t,
        cast(so2_t as {{ type_double() }}) as so2_t,
        cast(nox_t as {{ type_double() }}) as nox_t,
        cast(particulates_t as {{ type_double() }}) as particulates_t,
        cast(heavy_metals_kg as {{ type_double() }}) as heavy_metals_kg,
        cast(dq_flags as {{ type_string() }}) as dq_flags,
        cast(delivery as {{ type_string() }}) as delivery

    from source

)

select * from renamed

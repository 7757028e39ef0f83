with

source as (

    select * from {{ source('census', 'agricultural_sources') }}

),

renamed as (

    select
        cast(load_id as {{ type_string() }}) as load_id,
        cast(source_file as {{ type_string() }}) as source_file,
        cast(sheet as {{ type_string() }}) as sheet_name,
        cast(row_no as {{ type_bigint() }}) as row_no,
        cast(source_record_id as {{ type_string() }}) as source_record_id,
        cast(county_code as {{ type_string() }}) as county_code,
        cast(county_raw as {{ type_string() }}) as county_raw,
        cast(crop_tn_t as {{ type_double() }}) as crop_tn_t,
        cast(crop_tp_t as {{ type_double() }}) as crop_tp_t,
        cast(livestock_cod_t as {{ type_double() }}) as livestock_cod_t,
        cast(livestock_nh3n_t as {{ type_double() }}) as livestock_nh3n_t,
        cast(livestock_tn_t as {{ type_double() }}) as livestock_tn_t,
        cast(livestock_tp_t as {{ type_double() }}) as livestock_tp_t,
        cast(aquaculture_cod_t as {{ type_double() }}) as aquaculture_cod_t,
        cast(aquaculture_nh3n_t as {{ type_double() }}) as aquaculture_nh3n_t,
        cast(aquaculture_tn_t as {{ type_double() }}) as aquaculture_tn_t,
        cast(aquaculture_tp_t as {{ type_double() }}) as aquaculture_tp_t,
        cast(dq_flags as {{ type_string() }}) as dq_flags,
        cast(delivery as {{ type_string() }}) as delivery

    from source

)

select * from renamed

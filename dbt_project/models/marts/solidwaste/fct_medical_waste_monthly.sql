-- Medical waste per disposal centre and month (latest version of each monthly report): tonnes generated
-- by the institutions the centre serves, collected and disposed of, and the disposal rate.

with

reports as (

    select * from {{ ref('stg_solidwaste__medical_waste') }}

)

select
    cast(record_key as {{ type_string() }}) as record_key,
    cast(centre_key as {{ type_string() }}) as centre_key,
    cast(centre_name as {{ type_string() }}) as centre_name,
    cast(county_code as {{ type_string() }}) as county_code,
    cast(month as date) as month,
    cast(extract(year from month) as integer) as year,
    cast(generated_t as {{ type_double() }}) as generated_t,
    cast(collected_t as {{ type_double() }}) as collected_t,
    cast(disposed_t as {{ type_double() }}) as disposed_t,
    cast(
        case when generated_t > 0 then {{ round_half_up('100.0 * disposed_t / generated_t', 1) }} end
        as {{ type_double() }}
    ) as disposal_rate_pct,
    cast(load_id as {{ type_string() }}) as load_id
from reports

-- One row per outlet of the online-monitoring registry, with its enterprise key and the number of
-- parameters it must send every hour (concentrations and flow, from the registry's `parameter_codes`).
-- The enterprise key is the credit code, or the registered name where the registry has no code.

with

devices as (

    select * from {{ ref('stg_sources__devices') }}

),

counties as (

    select
        area_code,
        area_name_zh
    from {{ ref('counties') }}

)

select
    devices.outlet_code,
    devices.mn,
    devices.outlet_name,
    devices.outlet_type,
    devices.credit_code,
    devices.enterprise_name,
    devices.county_code,
    counties.area_name_zh as county_name_zh,
    devices.industry_code,
    devices.parameter_codes,
    devices.required_from,
    devices.is_networked,
    devices.networked_on,
    devices.load_id,
    coalesce(devices.credit_code, devices.enterprise_name) as enterprise_key,
    length(devices.parameter_codes) - length(replace(devices.parameter_codes, ';', '')) + 1 as n_parameters
from devices
left join counties on devices.county_code = counties.area_code

-- Every HW-generating unit any source knows (plan §8.1: the platform, the pollution census and the
-- online-monitoring registry together), one row per enterprise of the enterprise matching:
--   platform: registered as an HW generator on the solid-waste platform (known from registered_on); a unit
--     registered for general industrial solid waste only is not (it is known to the platform, not as an HW
--     generator: when another source knows its HW it is listed as unregistered);
--   census: a census industrial source with hazardous_waste_t > 0 (known from the census base year);
--   online monitoring: an enterprise with a wastewater outlet in the device registry, whose COD and
--     NH3-N analysers produce waste reagents (HW49 900-047-49) (known from networking, else the date
--     online monitoring became required).

with

matched as (

    select
        enterprise_id,
        source_system,
        source_record_id,
        known_from,
        load_id
    from {{ ref('int_enterprise_records_matched') }}

),

platform as (

    select
        matched.enterprise_id,
        min(matched.known_from) as known_from,
        min(matched.source_record_id) as generator_key,
        count(*) as generator_records
    from matched
    inner join {{ ref('stg_solidwaste__generators') }} as generators
        on matched.source_record_id = generators.record_key
    where matched.source_system = 'solidwaste_platform' and generators.is_hw_generator
    group by matched.enterprise_id

),

census as (

    select
        enterprise_id,
        hazardous_waste_t,
        {{ date_from_parts(2017, 12, 31) }} as known_from
    from {{ ref('int_census_enterprises_deduplicated') }}
    where hazardous_waste_t > 0

),

-- the same grouping of outlets into one registry record as int_enterprise_records_unioned
devices_ranked as (

    select
        outlet_code,
        max(case when st = '32' then 1 else 0 end) over (
            partition by coalesce(credit_code, enterprise_name), county_code
        ) as has_wastewater_outlet,
        row_number() over (
            partition by coalesce(credit_code, enterprise_name), county_code
            order by outlet_code
        ) as outlet_rank
    from {{ ref('stg_sources__devices') }}

),

online_monitoring as (

    select
        matched.enterprise_id,
        min(matched.known_from) as known_from,
        min(matched.source_record_id) as outlet_code
    from matched
    inner join devices_ranked
        on
            matched.source_record_id = devices_ranked.outlet_code
            and devices_ranked.outlet_rank = 1
            and devices_ranked.has_wastewater_outlet = 1
    where matched.source_system = 'online_monitoring'
    group by matched.enterprise_id

),

-- units on the platform for general industrial solid waste only (not HW generators there)
platform_general_waste_only as (

    select distinct matched.enterprise_id
    from matched
    inner join {{ ref('stg_solidwaste__generators') }} as generators
        on matched.source_record_id = generators.record_key
    where matched.source_system = 'solidwaste_platform' and not generators.is_hw_generator

),

enterprises as (

    select enterprise_id from platform
    union
    select enterprise_id from census
    union
    select enterprise_id from online_monitoring

)

select
    enterprises.enterprise_id,
    platform.generator_key,
    platform.generator_records,
    platform.known_from as registered_on,
    census.hazardous_waste_t as census_hazardous_waste_t,
    online_monitoring.outlet_code as online_monitoring_outlet,
    online_monitoring.known_from as networked_on,
    platform.enterprise_id is not null as in_platform,
    census.enterprise_id is not null as in_census,
    online_monitoring.enterprise_id is not null as in_online_monitoring,
    (
        platform.enterprise_id is null and platform_general_waste_only.enterprise_id is not null
    ) as on_platform_for_general_waste_only,
    case
        when census.known_from is null then online_monitoring.known_from
        when online_monitoring.known_from is null then census.known_from
        when census.known_from < online_monitoring.known_from then census.known_from
        else online_monitoring.known_from
    end as known_elsewhere_from
from enterprises
left join platform on enterprises.enterprise_id = platform.enterprise_id
left join census on enterprises.enterprise_id = census.enterprise_id
left join online_monitoring on enterprises.enterprise_id = online_monitoring.enterprise_id
left join platform_general_waste_only on enterprises.enterprise_id = platform_general_waste_only.enterprise_id

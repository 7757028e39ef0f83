{%- set measures = census_emission_measures() -%}

-- One row per enterprise the census knows, with its 2017 emissions. An enterprise entered twice in
-- the census (two records matched to it) takes the first record in delivery order (workbook, sheet,
-- row), so its emissions are counted once; the others are listed in enterprise_match_review.

with

matched as (

    select
        enterprise_id,
        source_record_id,
        record_kind,
        county_code,
        industry_code,
        source_file,
        sheet_name,
        record_line,
        load_id
    from {{ ref('int_enterprise_records_matched') }}
    where source_system = 'census'

),

emissions as (

    select
        source_record_id,
        wastewater_m3,
        cod_t,
        nh3n_t,
        cast(null as {{ type_double() }}) as tn_t,
        cast(null as {{ type_double() }}) as tp_t,
        so2_t,
        nox_t,
        particulates_t,
        vocs_t,
        heavy_metals_kg,
        hazardous_waste_t,
        general_solid_waste_t
    from {{ ref('stg_census__industrial_sources') }}

    union all

    select
        source_record_id,
        wastewater_m3,
        cod_t,
        nh3n_t,
        tn_t,
        tp_t,
        so2_t,
        nox_t,
        particulates_t,
        cast(null as {{ type_double() }}) as vocs_t,
        heavy_metals_kg,
        cast(null as {{ type_double() }}) as hazardous_waste_t,
        cast(null as {{ type_double() }}) as general_solid_waste_t
    from {{ ref('stg_census__centralized_facilities') }}

),

ranked as (

    select
        matched.*,
        count(*) over (partition by matched.enterprise_id) as census_record_count,
        row_number() over (
            partition by matched.enterprise_id
            order by matched.source_file, matched.sheet_name, matched.record_line
        ) as record_rank
    from matched

)

select
    ranked.enterprise_id,
    ranked.source_record_id,
    ranked.record_kind,
    ranked.county_code,
    ranked.industry_code,
    ranked.census_record_count,
    emissions.wastewater_m3,
    {% for measure in measures %}
    emissions.{{ measure }},
    {% endfor %}
    emissions.general_solid_waste_t,
    ranked.load_id
from ranked
inner join emissions on ranked.source_record_id = emissions.source_record_id
where ranked.record_rank = 1

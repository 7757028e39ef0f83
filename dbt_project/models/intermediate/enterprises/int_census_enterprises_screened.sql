{%- set measures = census_emission_measures() -%}

-- Each census enterprise against the key-unit criteria (seed key_unit_criteria: a measure of the
-- census 2017 emissions and the threshold at or above which the enterprise must be a key
-- pollutant-discharging unit). criteria_met lists the criterion codes met, sorted; criteria_met_zh
-- their Chinese names.

with

census as (

    select * from {{ ref('int_census_enterprises_deduplicated') }}

),

measured as (
    {% for measure in measures %}
    select
        enterprise_id,
        '{{ measure }}' as measure,
        {{ measure }} as amount
    from census
    where {{ measure }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

met as (

    select
        measured.enterprise_id,
        {{ string_agg_distinct_sorted('criteria.criterion_code', ',') }} as criteria_met,
        {{ string_agg_distinct_sorted('criteria.name_zh', '、') }} as criteria_met_zh
    from measured
    inner join {{ ref('key_unit_criteria') }} as criteria
        on
            measured.measure = criteria.measure
            and measured.amount >= criteria.threshold
    group by measured.enterprise_id

)

select
    census.enterprise_id,
    census.county_code,
    census.industry_code,
    met.criteria_met,
    met.criteria_met_zh,
    census.load_id,
    met.enterprise_id is not null as meets_key_unit_criteria
from census
left join met on census.enterprise_id = met.enterprise_id

-- Monthly assessment of every section (GB 3838-2002, single-factor) on the monthly parameter values
-- of int_water_section_month_values: the worst parameter class (rivers without TN, lakes with TN and
-- the lake TP limits) and its deciding parameter. drinking_class: the same values without TN
-- (drinking-water sources are judged on the basic items other than TN), for the compliance of
-- drinking-water sources.

with

assessed_values as (

    select * from {{ ref('int_water_section_month_values') }}

),

drinking_values as (

    select * from assessed_values
    where parameter != 'tn'

),

classified as (

    {{ gb3838_classify('assessed_values', ['section_code', 'month_start']) }}

),

drinking as (

    {{ gb3838_classify('drinking_values', ['section_code', 'month_start']) }}

),

basis as (

    select
        section_code,
        month_start,
        count(*) as parameter_count,
        count(case when value_basis = 'auto' then 1 end) as auto_parameters
    from assessed_values
    group by section_code, month_start

)

select
    classified.section_code,
    classified.month_start,
    cast(extract(year from classified.month_start) as integer) as year,
    classified.water_class,
    classified.deciding_parameter,
    drinking.water_class as drinking_class,
    drinking.deciding_parameter as drinking_deciding_parameter,
    basis.parameter_count,
    basis.auto_parameters
from classified
left join drinking
    on
        classified.section_code = drinking.section_code
        and classified.month_start = drinking.month_start
inner join basis
    on
        classified.section_code = basis.section_code
        and classified.month_start = basis.month_start

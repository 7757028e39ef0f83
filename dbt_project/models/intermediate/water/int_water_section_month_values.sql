-- Monthly value of every parameter of every section (GB 3838-2002 assessment input).
--
-- Monthly value of a parameter: the mean of the month's lab results (the monthly manual sampling,
-- all basic items); for a parameter the section's automatic station measures (pH, DO, CODMn, NH3-N,
-- TP, TN), the mean of the month's valid (flag N) 4-hourly values replaces the lab value when there
-- are at least var('water_auto_min_values_per_month') (default 100, about 55 % of a month's 180
-- values) of them: automatic data take precedence where they are complete enough, as in the
-- national network. value_basis says which.

{%- set min_auto = var('water_auto_min_values_per_month', 100) %}

with

sections as (

    select
        section_code,
        water_body
    from {{ ref('stg_monitoring__water_sections') }}

),

lab_months as (

    select
        section_code,
        cast({{ date_trunc('month', 'sample_date') }} as date) as month_start,
        parameter,
        avg(value) as lab_value,
        count(*) as lab_values
    from {{ ref('int_water_lab_results_deduplicated') }}
    group by section_code, cast({{ date_trunc('month', 'sample_date') }} as date), parameter

),

auto_months as (

    select
        section_code,
        cast({{ date_trunc('month', 'data_time') }} as date) as month_start,
        parameter,
        avg(case when is_valid then value end) as auto_value,
        sum(case when is_valid then 1 else 0 end) as auto_values
    from {{ ref('int_water_auto_values_unpivoted') }}
    group by section_code, cast({{ date_trunc('month', 'data_time') }} as date), parameter

),

month_values as (

    select
        coalesce(lab_months.section_code, auto_months.section_code) as section_code,
        coalesce(lab_months.month_start, auto_months.month_start) as month_start,
        coalesce(lab_months.parameter, auto_months.parameter) as parameter,
        case
            when auto_months.auto_values >= {{ min_auto }} then auto_months.auto_value
            else lab_months.lab_value
        end as value,
        case
            when auto_months.auto_values >= {{ min_auto }} then 'auto'
            when lab_months.lab_value is not null then 'lab'
        end as value_basis,
        sections.water_body
    from lab_months
    full outer join auto_months
        on
            lab_months.section_code = auto_months.section_code
            and lab_months.month_start = auto_months.month_start
            and lab_months.parameter = auto_months.parameter
    inner join sections
        on coalesce(lab_months.section_code, auto_months.section_code) = sections.section_code

)

select
    section_code,
    month_start,
    cast(extract(year from month_start) as integer) as year,
    parameter,
    value,
    value_basis,
    water_body
from month_values
where value is not null

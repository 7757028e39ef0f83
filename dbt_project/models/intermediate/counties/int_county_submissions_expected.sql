{%- set as_of = as_of_timestamp() -%}
-- The explicit table of expected submissions: county x form x period. A form is expected for every
-- period (month, quarter or year by its period_type) that ends on or after its introduced_on (the period
-- in progress when a form is introduced is reported) and starts before its retired_on, once its deadline
-- (period end + deadline_days, the last day to submit) has passed by the reporting cut-off: the as_of var
-- when given, else the latest upload of any county file (the intake's clock).

with

forms as (

    select
        form_code,
        period_type,
        deadline_days,
        introduced_on,
        retired_on,
        case period_type when 'monthly' then 1 when 'quarterly' then 3 else 12 end as months_in_period
    from {{ ref('county_forms') }}

),

counties as (

    select area_code as county_code
    from {{ ref('counties') }}
    where area_level = 'county'

),

cutoff as (

    {% if as_of -%}
    select {{ as_of }} as reporting_cutoff
    {%- else -%}
    select max(received_at) as reporting_cutoff
    from {{ ref('stg_counties__files') }}
    {%- endif %}

),

years as (

    select
        reporting_cutoff,
        {{ explode_integer_range(var('plan_baseline_year'), 'cast(extract(year from reporting_cutoff) as integer)') }}
            as period_year
    from cutoff
    where reporting_cutoff is not null

),

months as (

    select {{ explode_integer_range(1, 12) }} as month_no

),

periods as (

    select
        forms.form_code,
        forms.period_type,
        forms.deadline_days,
        forms.introduced_on,
        forms.retired_on,
        forms.months_in_period,
        years.reporting_cutoff,
        {{ date_from_parts('years.period_year', 'months.month_no', 1) }} as period_start
    from forms
    cross join years
    cross join months
    where mod(months.month_no - 1, forms.months_in_period) = 0

),

bounded as (

    select
        *,
        cast({{ dateadd('day', -1, dateadd('month', 'months_in_period', 'period_start')) }} as date) as period_end
    from periods

),

deadlines as (

    select
        *,
        cast({{ dateadd('day', 'deadline_days', 'period_end') }} as date) as deadline
    from bounded

)

select
    counties.county_code,
    deadlines.form_code,
    deadlines.period_type,
    deadlines.period_start,
    deadlines.period_end,
    deadlines.deadline,
    cast({{ dateadd('day', 1, 'deadline') }} as {{ type_timestamp() }}) as due_before,
    deadlines.reporting_cutoff
from deadlines
cross join counties
where
    deadlines.period_end >= deadlines.introduced_on
    and (deadlines.retired_on is null or deadlines.period_start < deadlines.retired_on)
    and cast({{ dateadd('day', 1, 'deadline') }} as {{ type_timestamp() }}) <= deadlines.reporting_cutoff

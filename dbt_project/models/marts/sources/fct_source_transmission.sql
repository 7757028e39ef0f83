-- Transmission of online-monitoring data per outlet and per enterprise, by day, month and year.
-- transmission_rate = hourly values received / expected; valid_transmission_rate = valid values
-- (HJ 212 flag N, numeric) / expected (expected = 24 x the outlet's parameters per day since it was
-- networked, see int_source_outlet_days_aggregated). Rates in %, rounded half up to 0.1.
{%- set periods = ['day', 'month', 'year'] %}

with

outlet_days as (

    select * from {{ ref('int_source_outlet_days_aggregated') }}

),

outlets as (

    select * from {{ ref('int_source_outlets_listed') }}

),

outlet_periods as (
    {% for period in periods %}
    select
        'outlet' as entity_level,
        outlet_days.outlet_code as entity_code,
        outlet_days.outlet_code,
        '{{ period }}' as period_type,
        cast({{ date_trunc(period, 'outlet_days.data_date') }} as date) as period_start,
        sum(outlet_days.expected_values) as expected_values,
        sum(outlet_days.received_values) as received_values,
        sum(outlet_days.valid_values) as valid_values
    from outlet_days
    group by outlet_days.outlet_code, cast({{ date_trunc(period, 'outlet_days.data_date') }} as date)
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

enterprise_periods as (

    select
        'enterprise' as entity_level,
        outlets.enterprise_key as entity_code,
        cast(null as {{ type_string() }}) as outlet_code,
        outlet_periods.period_type,
        outlet_periods.period_start,
        sum(outlet_periods.expected_values) as expected_values,
        sum(outlet_periods.received_values) as received_values,
        sum(outlet_periods.valid_values) as valid_values
    from outlet_periods
    inner join outlets on outlet_periods.outlet_code = outlets.outlet_code
    group by outlets.enterprise_key, outlet_periods.period_type, outlet_periods.period_start

),

enterprises as (

    select
        enterprise_key,
        min(enterprise_name) as enterprise_name,
        min(county_code) as county_code,
        min(county_name_zh) as county_name_zh
    from outlets
    group by enterprise_key

),

unioned as (

    select * from outlet_periods
    union all
    select * from enterprise_periods

)

select
    cast(unioned.entity_level as {{ type_string() }}) as entity_level,
    cast(unioned.entity_code as {{ type_string() }}) as entity_code,
    cast(unioned.outlet_code as {{ type_string() }}) as outlet_code,
    cast(enterprises.enterprise_key as {{ type_string() }}) as enterprise_key,
    cast(enterprises.enterprise_name as {{ type_string() }}) as enterprise_name,
    cast(enterprises.county_code as {{ type_string() }}) as county_code,
    cast(enterprises.county_name_zh as {{ type_string() }}) as county_name_zh,
    cast(unioned.period_type as {{ type_string() }}) as period_type,
    cast(unioned.period_start as date) as period_start,
    cast(unioned.expected_values as {{ type_bigint() }}) as expected_values,
    cast(unioned.received_values as {{ type_bigint() }}) as received_values,
    cast(unioned.valid_values as {{ type_bigint() }}) as valid_values,
    cast(
        case
            when unioned.expected_values > 0
                then {{ round_half_up('100.0 * unioned.received_values / unioned.expected_values', 1) }}
        end as {{ type_double() }}
    ) as transmission_rate,
    cast(
        case
            when unioned.expected_values > 0
                then {{ round_half_up('100.0 * unioned.valid_values / unioned.expected_values', 1) }}
        end as {{ type_double() }}
    ) as valid_transmission_rate,
    cast({{ method_version(['hj212_data_flags', 'source_data_validity']) }} as {{ type_string() }}) as method_version
from unioned
left join outlets on unioned.outlet_code = outlets.outlet_code
inner join enterprises
    on coalesce(outlets.enterprise_key, unioned.entity_code) = enterprises.enterprise_key

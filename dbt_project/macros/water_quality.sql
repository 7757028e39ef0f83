{#-
    GB 3838-2002 single-factor classification (单因子评价) over a relation of values.

    `values_relation` has the `keys` columns plus `parameter`, `value` (mg/L; pH dimensionless) and
    `water_body` ('river' | 'lake'). A parameter is assessed when the seed gb3838_limits has limits
    for it and the water body (so rivers leave TN out and lakes use the lake TP limits); its class is
    the best class whose limits the value meets (lower_limit <= value <= upper_limit), 6 (劣V) when
    none does. The sample's class is the worst parameter class; the deciding parameter is the first
    parameter, in the standard's order, with that class: both come from one rank key
    class * 100 + (99 - sort_order), whose maximum is the worst class with the earliest parameter.
    A value meets the limits after rounding half up to 6 decimal places (1e-6 mg/L, finer than every limit):
    an average's last bits depend on the order a parallel aggregate added it in, and a mean equal to
    a limit must meet it on every run (ingestion/standards/gb3838.py DECIMALS).
    Plain SQL (no dialect-specific piece): the same on DuckDB and Spark.
-#}
{% macro gb3838_classify(values_relation, keys) -%}
    select
        {%- for k in keys %}
            ranked.{{ k }},
        {%- endfor %}
        cast(floor(ranked.rank_key / 100) as integer) as water_class,
        deciding.parameter as deciding_parameter
    from (
        select
            {%- for k in keys %}
                classed.{{ k }},
            {%- endfor %}
            max(classed.rank_key) as rank_key
        from (
            select
                {%- for k in keys %}
                    v.{{ k }},
                {%- endfor %}
                v.parameter,
                coalesce(min(lim.water_class), 6) * 100 + (99 - max(assessed.sort_order)) as rank_key
            from {{ values_relation }} as v
            inner join (
                select distinct
                    parameter,
                    water_body,
                    sort_order
                from {{ ref('gb3838_limits') }}
            ) as assessed
                on
                    v.parameter = assessed.parameter
                    and assessed.water_body in (v.water_body, 'all')
            left join {{ ref('gb3838_limits') }} as lim
                on
                    assessed.parameter = lim.parameter
                    and assessed.water_body = lim.water_body
                    and (lim.lower_limit is null or {{ round_half_up('v.value', 6) }} >= lim.lower_limit)
                    and (lim.upper_limit is null or {{ round_half_up('v.value', 6) }} <= lim.upper_limit)
            where v.value is not null
            group by
                {%- for k in keys %}
                    v.{{ k }},
                {%- endfor %}
                v.parameter
        ) as classed
        group by
            {%- for k in keys %}
                classed.{{ k }}{% if not loop.last %},{% endif %}
            {%- endfor %}
    ) as ranked
    inner join (
        select distinct
            parameter,
            sort_order
        from {{ ref('gb3838_limits') }}
    ) as deciding
        on deciding.sort_order = 99 - ranked.rank_key % 100
{%- endmacro %}


{#- Chinese label of a GB 3838 class number (1-5, 6 = 劣V). -#}
{% macro gb3838_class_label(expression) -%}
    case {{ expression }}
        when 1 then 'Ⅰ类'
        when 2 then 'Ⅱ类'
        when 3 then 'Ⅲ类'
        when 4 then 'Ⅳ类'
        when 5 then 'Ⅴ类'
        when 6 then '劣Ⅴ类'
    end
{%- endmacro %}

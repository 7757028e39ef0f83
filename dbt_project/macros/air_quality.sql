{#-
    HJ 633-2012 daily AQI, written once and used for station-days and area-days alike.
-#}


{#-
    The daily measures that get an IAQI: column in the daily models -> (pollutant, averaging) rows
    of the aqi_breakpoints seed, and the name of its IAQI column.
-#}
{% macro air_daily_measures() %}
    {{ return([
        {'column': 'pm2_5', 'pollutant': 'pm2_5', 'averaging': '24h', 'iaqi': 'iaqi_pm2_5'},
        {'column': 'pm10', 'pollutant': 'pm10', 'averaging': '24h', 'iaqi': 'iaqi_pm10'},
        {'column': 'so2', 'pollutant': 'so2', 'averaging': '24h', 'iaqi': 'iaqi_so2'},
        {'column': 'no2', 'pollutant': 'no2', 'averaging': '24h', 'iaqi': 'iaqi_no2'},
        {'column': 'co', 'pollutant': 'co', 'averaging': '24h', 'iaqi': 'iaqi_co'},
        {'column': 'o3_1h_max', 'pollutant': 'o3', 'averaging': '1h', 'iaqi': 'iaqi_o3_1h'},
        {'column': 'o3_8h_max', 'pollutant': 'o3_8h', 'averaging': '8h', 'iaqi': 'iaqi_o3_8h'},
    ]) }}
{% endmacro %}


{#-
    Reporting precision of a concentration, or of a statistic named after its pollutant (co_p95),
    per HJ 663-2013 data rounding: CO in mg/m3 to one decimal, every other pollutant in ug/m3 to an
    integer.
-#}
{% macro air_reporting_scale(pollutant) %}
    {{ return(1 if pollutant.startswith('co') else 0) }}
{% endmacro %}


{#-
    IAQI of a concentration inside the breakpoint segment [conc_lo, conc_hi] -> [iaqi_lo, iaqi_hi]:
    linear interpolation, rounded up to the next integer (HJ 633-2012). The interpolated value is
    first rounded to 6 decimals so that float noise (100.0000000001) cannot push it up a unit.
-#}
{% macro iaqi(concentration, conc_lo, conc_hi, iaqi_lo, iaqi_hi) -%}
    {{ ceiling_int(round_half_up(
        '(' ~ iaqi_hi ~ ' - ' ~ iaqi_lo ~ ') * (' ~ concentration ~ ' - ' ~ conc_lo ~ ') / ('
        ~ conc_hi ~ ' - ' ~ conc_lo ~ ') + ' ~ iaqi_lo,
        6
    )) }}
{%- endmacro %}


{% macro aqi_category(aqi) -%}
    case
        when {{ aqi }} is null then null
        when {{ aqi }} <= 50 then '优'
        when {{ aqi }} <= 100 then '良'
        when {{ aqi }} <= 150 then '轻度污染'
        when {{ aqi }} <= 200 then '中度污染'
        when {{ aqi }} <= 300 then '重度污染'
        else '严重污染'
    end
{%- endmacro %}


{#-
    CTEs (no leading `with`) that score the daily rows of `input_relation` (a CTE name), one row per
    `key_columns`, with the concentration columns of air_daily_measures() at full precision.
    The last CTE, `aqi_scored`, has per key:
      - the concentrations rounded to reporting precision (same column names): these are the values
        that are published and that the IAQIs are computed from, so every published AQI can be
        re-derived by hand from the published concentrations;
      - iaqi_pm2_5, iaqi_pm10, iaqi_so2, iaqi_no2, iaqi_co, iaqi_o3_1h, iaqi_o3_8h;
      - has_all_pollutants: PM2.5, PM10, SO2, NO2 and CO have a daily value and O3 a daily max 1h
        or 8h value;
      - aqi (max IAQI; NULL unless has_all_pollutants), primary_pollutant (seed codes of the
        pollutants whose IAQI equals the AQI, alphabetical, comma-joined, only when AQI > 50) and
        category.
    Above a table's last breakpoint the IAQI is 500 if the table reaches 500, otherwise there is no
    IAQI from that table (O3 8h > 800: the 1h value reports O3).
-#}
{% macro score_air_days(input_relation, key_columns) %}
    {%- set measures = air_daily_measures() -%}
    {%- set keys = key_columns | join(', ') -%}

aqi_rounded as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        {{ round_half_up(measure.column, air_reporting_scale(measure.pollutant)) }} as {{ measure.column }},
        {%- endfor %}
        (
            pm2_5 is not null
            and pm10 is not null
            and so2 is not null
            and no2 is not null
            and co is not null
            and (o3_1h_max is not null or o3_8h_max is not null)
        ) as has_all_pollutants

    from {{ input_relation }}

),

aqi_concentrations as (
    {% for measure in measures %}
    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        '{{ measure.pollutant }}' as pollutant,
        '{{ measure.averaging }}' as averaging,
        {{ measure.column }} as concentration
    from aqi_rounded
    where {{ measure.column }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

aqi_breakpoint_segments as (

    select
        pollutant,
        averaging,
        iaqi_lo,
        iaqi_hi,
        conc_lo,
        conc_hi
    from {{ ref('aqi_breakpoints') }}

),

aqi_breakpoint_tables as (

    select
        pollutant,
        averaging,
        max(conc_hi) as conc_top,
        max(iaqi_hi) as iaqi_top
    from aqi_breakpoint_segments
    group by pollutant, averaging

),

aqi_sub_indices as (

    {#- A concentration on a breakpoint matches both adjacent segments; they give the same IAQI and
        everything downstream takes max() or distinct values. #}
    select
        {%- for key in key_columns %}
        aqi_concentrations.{{ key }},
        {%- endfor %}
        aqi_concentrations.pollutant,
        case
            when aqi_concentrations.concentration > aqi_breakpoint_tables.conc_top
                then case when aqi_breakpoint_tables.iaqi_top >= 500 then 500 end
            else {{ iaqi(
                'aqi_concentrations.concentration',
                'aqi_breakpoint_segments.conc_lo',
                'aqi_breakpoint_segments.conc_hi',
                'aqi_breakpoint_segments.iaqi_lo',
                'aqi_breakpoint_segments.iaqi_hi'
            ) }}
        end as iaqi

    from aqi_concentrations
    inner join aqi_breakpoint_tables
        on
            aqi_concentrations.pollutant = aqi_breakpoint_tables.pollutant
            and aqi_concentrations.averaging = aqi_breakpoint_tables.averaging
    left join aqi_breakpoint_segments
        on
            aqi_concentrations.pollutant = aqi_breakpoint_segments.pollutant
            and aqi_concentrations.averaging = aqi_breakpoint_segments.averaging
            and aqi_concentrations.concentration >= aqi_breakpoint_segments.conc_lo
            and aqi_concentrations.concentration <= aqi_breakpoint_segments.conc_hi

),

aqi_sub_indices_ranked as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        pollutant,
        iaqi,
        max(iaqi) over (partition by {{ keys }}) as max_iaqi
    from aqi_sub_indices

),

aqi_days as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        max(case when pollutant = '{{ measure.pollutant }}' then iaqi end) as {{ measure.iaqi }},
        {%- endfor %}
        max(iaqi) as max_iaqi,
        {{ string_agg_distinct_sorted('case when iaqi = max_iaqi then pollutant end', ',') }}
            as dominant_pollutants
    from aqi_sub_indices_ranked
    group by {{ keys }}

),

aqi_assessed as (

    select
        aqi_rounded.*,
        {%- for measure in measures %}
        aqi_days.{{ measure.iaqi }},
        {%- endfor %}
        case when aqi_rounded.has_all_pollutants then aqi_days.max_iaqi end as aqi,
        aqi_days.dominant_pollutants

    from aqi_rounded
    left join aqi_days
        on
            {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}aqi_rounded.{{ key }} = aqi_days.{{ key }}
            {%- endfor %}

),

aqi_scored as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        {{ measure.column }},
        {%- endfor %}
        has_all_pollutants,
        {%- for measure in measures %}
        {{ measure.iaqi }},
        {%- endfor %}
        aqi,
        case when aqi > 50 then dominant_pollutants end as primary_pollutant,
        {{ aqi_category('aqi') }} as category
    from aqi_assessed

)
{%- endmacro %}

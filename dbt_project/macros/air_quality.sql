{#-
    HJ 633-2012 AQI, written once and used for station-days, area-days and station-hours alike:
    score_air_quality() does the scoring, air_daily_measures() / air_hourly_measures() say which
    column is rated on which breakpoint table of the aqi_breakpoints seed.
-#}


{#-
    A measure is one concentration column that gets an IAQI:
      column     its name in the input (and in the output, rounded to reporting precision);
      pollutant  breakpoint seed pollutant code, also the code written in primary_pollutant;
      averaging  breakpoint seed table it is rated on;
      above_top  (optional) the table to rate it on instead when it exceeds the top breakpoint of
                 `averaging` (hourly SO2 above 800 ug/m3 -> the SO2 24h table);
      iaqi       name of its IAQI column;
      counts_as  the pollutant it stands for in has_all_pollutants (daily O3: 1h max or 8h max).
-#}

{#- Daily AQI: 24h means on the 24h tables, daily max 1h O3 on the 1h table, daily max 8h O3 on the 8h one. -#}
{% macro air_daily_measures() %}
    {{ return([
        {'column': 'pm2_5', 'pollutant': 'pm2_5', 'averaging': '24h', 'iaqi': 'iaqi_pm2_5', 'counts_as': 'pm2_5'},
        {'column': 'pm10', 'pollutant': 'pm10', 'averaging': '24h', 'iaqi': 'iaqi_pm10', 'counts_as': 'pm10'},
        {'column': 'so2', 'pollutant': 'so2', 'averaging': '24h', 'iaqi': 'iaqi_so2', 'counts_as': 'so2'},
        {'column': 'no2', 'pollutant': 'no2', 'averaging': '24h', 'iaqi': 'iaqi_no2', 'counts_as': 'no2'},
        {'column': 'co', 'pollutant': 'co', 'averaging': '24h', 'iaqi': 'iaqi_co', 'counts_as': 'co'},
        {'column': 'o3_1h_max', 'pollutant': 'o3', 'averaging': '1h', 'iaqi': 'iaqi_o3_1h', 'counts_as': 'o3'},
        {'column': 'o3_8h_max', 'pollutant': 'o3_8h', 'averaging': '8h', 'iaqi': 'iaqi_o3_8h', 'counts_as': 'o3'},
    ]) }}
{% endmacro %}


{#-
    Hourly (real-time) AQI as the national publishing platform computes it: hourly PM2.5 and PM10
    on the 24h tables, SO2, NO2, CO and O3 on their 1h tables, SO2 above the 1h table's top (800)
    on the SO2 24h table, no 8h O3 term.
-#}
{% macro air_hourly_measures() %}
    {{ return([
        {'column': 'pm2_5', 'pollutant': 'pm2_5', 'averaging': '24h', 'iaqi': 'iaqi_pm2_5', 'counts_as': 'pm2_5'},
        {'column': 'pm10', 'pollutant': 'pm10', 'averaging': '24h', 'iaqi': 'iaqi_pm10', 'counts_as': 'pm10'},
        {'column': 'so2', 'pollutant': 'so2', 'averaging': '1h', 'above_top': '24h', 'iaqi': 'iaqi_so2',
         'counts_as': 'so2'},
        {'column': 'no2', 'pollutant': 'no2', 'averaging': '1h', 'iaqi': 'iaqi_no2', 'counts_as': 'no2'},
        {'column': 'co', 'pollutant': 'co', 'averaging': '1h', 'iaqi': 'iaqi_co', 'counts_as': 'co'},
        {'column': 'o3', 'pollutant': 'o3', 'averaging': '1h', 'iaqi': 'iaqi_o3', 'counts_as': 'o3'},
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


{#- Daily AQI of the rows of `input_relation` (a CTE name): score_air_quality() with the daily measures. -#}
{% macro score_air_days(input_relation, key_columns) %}
    {{- score_air_quality(input_relation, key_columns, air_daily_measures(), aqi_needs_all_pollutants=true) -}}
{% endmacro %}


{#- Hourly AQI of the rows of `input_relation`: score_air_quality() with the hourly measures. -#}
{% macro score_air_hours(input_relation, key_columns) %}
    {{- score_air_quality(input_relation, key_columns, air_hourly_measures(), aqi_needs_all_pollutants=false) -}}
{% endmacro %}


{#-
    CTEs (no leading `with`) that score the rows of `input_relation` (a CTE name), one row per
    `key_columns`, holding the concentration columns of `measures` at full precision.
    The last CTE, `aqi_scored`, has per key:
      - the concentrations rounded half up to reporting precision (same column names: integer
        ug/m3, CO one decimal mg/m3): these are the values that are published and that the IAQIs
        are computed from, so every published AQI can be re-derived by hand from the published
        concentrations (the national platform does the same);
      - one IAQI column per measure;
      - has_all_pollutants: every pollutant (measure counts_as) has a value;
      - aqi: max IAQI; with aqi_needs_all_pollutants only when has_all_pollutants, otherwise
        whenever some pollutant has an IAQI;
      - primary_pollutant: the seed codes of the pollutants whose IAQI equals the AQI,
        alphabetical, comma-joined, only when AQI > 50;
      - category.
    Above a table's last breakpoint: a measure with `above_top` is rated on that table instead;
    otherwise the IAQI is 500 if the table reaches 500, else there is none (O3 8h > 800: the 1h
    value reports O3).
-#}
{% macro score_air_quality(input_relation, key_columns, measures, aqi_needs_all_pollutants) %}
    {%- set keys = key_columns | join(', ') -%}
    {%- set required = [] -%}
    {%- for measure in measures -%}
        {%- if measure.counts_as not in required -%}
            {%- do required.append(measure.counts_as) -%}
        {%- endif -%}
    {%- endfor %}

aqi_rounded as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        {{ round_half_up(measure.column, air_reporting_scale(measure.pollutant)) }} as {{ measure.column }},
        {%- endfor %}
        (
            {%- for pollutant in required %}
            {{ 'and ' if not loop.first }}(
                {%- for measure in measures if measure.counts_as == pollutant -%}
                {{ ' or ' if not loop.first }}{{ measure.column }} is not null
                {%- endfor -%}
            )
            {%- endfor %}
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
        cast({{ "'" ~ measure.above_top ~ "'" if measure.above_top else 'null' }} as {{ type_string() }})
            as above_top_averaging,
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

-- The table each concentration is rated on: its own, or `above_top` past the top breakpoint.
aqi_concentrations_rated as (

    select
        {%- for key in key_columns %}
        aqi_concentrations.{{ key }},
        {%- endfor %}
        aqi_concentrations.pollutant,
        case
            when
                aqi_concentrations.above_top_averaging is not null
                and aqi_concentrations.concentration > aqi_breakpoint_tables.conc_top
                then aqi_concentrations.above_top_averaging
            else aqi_concentrations.averaging
        end as averaging,
        aqi_concentrations.concentration

    from aqi_concentrations
    inner join aqi_breakpoint_tables
        on
            aqi_concentrations.pollutant = aqi_breakpoint_tables.pollutant
            and aqi_concentrations.averaging = aqi_breakpoint_tables.averaging

),

aqi_sub_indices as (

    {#- A concentration on a breakpoint matches both adjacent segments; they give the same IAQI and
        everything downstream takes max() or distinct values. #}
    select
        {%- for key in key_columns %}
        aqi_concentrations_rated.{{ key }},
        {%- endfor %}
        aqi_concentrations_rated.pollutant,
        case
            when aqi_concentrations_rated.concentration > aqi_breakpoint_tables.conc_top
                then case when aqi_breakpoint_tables.iaqi_top >= 500 then 500 end
            else {{ iaqi(
                'aqi_concentrations_rated.concentration',
                'aqi_breakpoint_segments.conc_lo',
                'aqi_breakpoint_segments.conc_hi',
                'aqi_breakpoint_segments.iaqi_lo',
                'aqi_breakpoint_segments.iaqi_hi'
            ) }}
        end as iaqi

    from aqi_concentrations_rated
    inner join aqi_breakpoint_tables
        on
            aqi_concentrations_rated.pollutant = aqi_breakpoint_tables.pollutant
            and aqi_concentrations_rated.averaging = aqi_breakpoint_tables.averaging
    left join aqi_breakpoint_segments
        on
            aqi_concentrations_rated.pollutant = aqi_breakpoint_segments.pollutant
            and aqi_concentrations_rated.averaging = aqi_breakpoint_segments.averaging
            and aqi_concentrations_rated.concentration >= aqi_breakpoint_segments.conc_lo
            and aqi_concentrations_rated.concentration <= aqi_breakpoint_segments.conc_hi

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

aqi_keyed as (

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
        aqi_keyed.{{ measure.iaqi }},
        {%- endfor %}
        {% if aqi_needs_all_pollutants -%}
        case when aqi_rounded.has_all_pollutants then aqi_keyed.max_iaqi end as aqi,
        {%- else -%}
        aqi_keyed.max_iaqi as aqi,
        {%- endif %}
        aqi_keyed.dominant_pollutants

    from aqi_rounded
    left join aqi_keyed
        on
            {%- for key in key_columns %}
            {{ 'and ' if not loop.first }}aqi_rounded.{{ key }} = aqi_keyed.{{ key }}
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

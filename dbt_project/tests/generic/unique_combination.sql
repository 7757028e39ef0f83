{#- Passes when no two rows of the model share the same values of all `combination` columns. -#}
{% test unique_combination(model, combination) %}

    select
        {{ combination | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1

{% endtest %}

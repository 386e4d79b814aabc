-- Assert a topic-day never has more stories than mentions, nor more scored mentions than mentions.

select *
from {{ ref('fct_topic_daily') }}
where stories > mentions
    or scored_mentions > mentions
    or negative_mentions + positive_mentions > scored_mentions

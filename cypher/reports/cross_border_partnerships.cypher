// title: Cross-border partnerships by country pair
// description: Partnerships between companies of different countries, grouped by the (sorted)
//   country pair, each pair of companies counted once, with examples. `country` keeps pairs
//   involving that ISO2 country (e.g. CN); `since` keeps partnerships last seen on/after that date.
// param: country str = null
// param: since date = null
// param: limit int = 20
MATCH (a:Entity)-[r:PARTNERS_WITH]->(b:Entity)
WHERE a.id STARTS WITH $id_prefix
  AND a.country IS NOT NULL AND b.country IS NOT NULL AND a.country <> b.country
  AND ($country IS NULL OR toUpper($country) IN [a.country, b.country])
  AND ($since IS NULL OR (r.last_seen IS NOT NULL AND r.last_seen >= substring($since, 0, size(r.last_seen))))
WITH r, CASE WHEN a.country < b.country THEN [a, b] ELSE [b, a] END AS pair
WITH pair[0].country AS country_a, pair[1].country AS country_b,
     collect(pair[0].name + ' – ' + pair[1].name) AS examples, count(r) AS partnerships,
     sum(coalesce(r.support, size(r.articles))) AS article_mentions
RETURN country_a, country_b, partnerships, article_mentions, examples
ORDER BY partnerships DESC, country_a, country_b
LIMIT $limit

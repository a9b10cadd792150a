// title: Companies bridging carmakers and tech firms
// description: Organizations directly linked (any typed relationship, either direction) both to
//   carmakers (kind carmaker) and to tech firms (kind tech, internet, cloud or chip), ranked by
//   the smaller of the two counts, then the total. `types` restricts the relationship types
//   considered (comma-separated); `min_each` is the minimum number of counterparts on each side.
// param: types list = null
// param: min_each int = 1
// param: limit int = 20
MATCH (o:Organization)-[r]-(m:Entity)
WHERE o.id STARTS WITH $id_prefix
  AND NOT type(r) = 'MENTIONS'
  AND ($types IS NULL OR type(r) IN [t IN $types | toUpper(t)])
  AND m <> o
WITH o, collect(DISTINCT CASE WHEN m.kind = 'carmaker' THEN m.name END) AS carmakers,
        collect(DISTINCT CASE WHEN m.kind IN ['tech', 'internet', 'cloud', 'chip'] THEN m.name END) AS tech
WHERE size(carmakers) >= $min_each AND size(tech) >= $min_each
RETURN o.name AS company, o.kind AS kind, o.country AS country,
       size(carmakers) AS carmaker_links, size(tech) AS tech_links,
       carmakers, tech AS tech_firms
ORDER BY CASE WHEN carmaker_links < tech_links THEN carmaker_links ELSE tech_links END DESC,
         carmaker_links + tech_links DESC, company
LIMIT $limit

// title: Articles behind one edge
// description: Every article supporting the relationship between `a` and `b` (names in any
//   language or alias, case-insensitive; either direction), one row per article with its title,
//   language, publication date, the date the sentence states, the evidence sentence, confidence
//   and extraction rule. `type` picks one relationship type (e.g. PARTNERS_WITH); null means all.
// param: a str
// param: b str
// param: type str = null
MATCH (x:Entity), (y:Entity)
WHERE x.id STARTS WITH $id_prefix AND y.id STARTS WITH $id_prefix
  AND any(v IN [x.name, x.name_en, x.name_zh, x.name_de, x.name_ru] + coalesce(x.aliases, [])
          WHERE toLower(v) = toLower(trim($a)))
  AND any(v IN [y.name, y.name_en, y.name_zh, y.name_de, y.name_ru] + coalesce(y.aliases, [])
          WHERE toLower(v) = toLower(trim($b)))
MATCH (x)-[r]-(y)
WHERE type(r) <> 'MENTIONS' AND ($type IS NULL OR type(r) = toUpper($type))
WITH DISTINCT r
UNWIND range(0, size(coalesce(r.articles, [])) - 1) AS i
OPTIONAL MATCH (art:Article {id: r.articles[i]})
RETURN startNode(r).name AS head, type(r) AS relation, endNode(r).name AS tail,
       r.articles[i] AS article, art.title AS title, art.lang AS lang, art.published AS published,
       CASE WHEN r.dates[i] = '' THEN null ELSE r.dates[i] END AS date, r.evidence[i] AS evidence, r.confidences[i] AS confidence,
       r.rules[i] AS rule
ORDER BY relation, head, tail, published, article

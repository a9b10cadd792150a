// title: One company's partners with evidence and dates
// description: Partners of one company (PARTNERS_WITH, either direction, each pair once) with the
//   articles, dates and evidence sentences behind each partnership. `company` matches the name in
//   any language (name, name_en, name_zh, name_de, name_ru) or any alias, case-insensitively
//   (宝马, bmw, БМВ). `min_support` keeps partnerships backed by at least that many articles.
// param: company str
// param: min_support int = 1
// param: limit int = 100
MATCH (c:Entity)
WHERE c.id STARTS WITH $id_prefix
  AND any(v IN [c.name, c.name_en, c.name_zh, c.name_de, c.name_ru] + coalesce(c.aliases, [])
          WHERE toLower(v) = toLower(trim($company)))
MATCH (c)-[r:PARTNERS_WITH]-(p:Entity)
WHERE coalesce(r.support, size(r.articles)) >= $min_support
RETURN c.name AS company, p.name AS partner, p.kind AS kind, p.country AS country,
       coalesce(r.support, size(r.articles)) AS support, r.first_seen AS first_seen, r.last_seen AS last_seen,
       r.confidence AS confidence, r.evidence AS evidence, r.articles AS articles
ORDER BY support DESC, first_seen, partner
LIMIT $limit

// title: Cloud platforms carmakers deploy on
// description: Providers ranked by distinct carmakers deploying on them, with their share of all
//   deploying carmakers. A carmaker deploys either itself or through one of its products or
//   subsidiaries (up to two PRODUCT_OF/SUBSIDIARY_OF hops), e.g. Volkswagen via Volkswagen
//   Automotive Cloud. `owner` is the company behind the provider (Azure -> Microsoft).
//   `provider_kind` keeps only providers of that kind (e.g. cloud); `since` keeps deployments last
//   seen on/after that date (compared at the precision of the stored date).
// param: limit int = 10
// param: since date = null
// param: provider_kind str = null
MATCH (c:Organization {kind: 'carmaker'})<-[:PRODUCT_OF|SUBSIDIARY_OF*0..2]-(x:Entity)-[d:DEPLOYS_ON]->(p:Entity)
WHERE c.id STARTS WITH $id_prefix
  AND ($since IS NULL OR (d.last_seen IS NOT NULL AND d.last_seen >= substring($since, 0, size(d.last_seen))))
  AND ($provider_kind IS NULL OR toLower(p.kind) = toLower($provider_kind))
WITH p, c, collect(DISTINCT CASE WHEN x = c THEN c.name ELSE c.name + ' via ' + x.name END) AS routes
WITH collect({p: p, c: c, routes: routes}) AS deployments, count(DISTINCT c) AS total
UNWIND deployments AS dep
WITH total, dep.p AS p, collect(DISTINCT dep.c.name) AS carmakers,
     reduce(acc = [], r IN collect(dep.routes) | acc + r) AS routes
OPTIONAL MATCH (p)-[:PRODUCT_OF|SUBSIDIARY_OF]->(o:Organization)
WITH p, total, carmakers, routes, collect(DISTINCT o.name) AS owners
RETURN p.name AS provider, p.kind AS kind, owners AS owner, size(carmakers) AS carmakers,
       round(1000.0 * size(carmakers) / total) / 10.0 AS share_pct, routes AS deployments
ORDER BY carmakers DESC, provider
LIMIT $limit

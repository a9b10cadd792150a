// title: Incubators, who runs them and whom they incubate
// description: Every incubator or startup program: an entity of kind incubator, a program that
//   someone INCUBATES or OPERATES, or an organization that INCUBATES another organization.
//   Runners are the entities that INCUBATE/OPERATE it or own it (SUBSIDIARY_OF/PRODUCT_OF);
//   incubated are the entities it INCUBATES. `runner` keeps incubators with a runner of that
//   name (case-insensitive, any language or alias).
// param: runner str = null
// param: limit int = 50
MATCH (i:Entity)
WHERE i.id STARTS WITH $id_prefix
  AND (i.kind = 'incubator'
       OR (i:Program AND EXISTS { (i)<-[:INCUBATES|OPERATES]-(:Entity) })
       OR EXISTS { (i:Organization)-[:INCUBATES]->(:Organization) })
OPTIONAL MATCH (r:Entity)-[run:INCUBATES|OPERATES]->(i)
WITH i, collect(DISTINCT r) AS runners1, collect(run) AS runs
OPTIONAL MATCH (i)-[:SUBSIDIARY_OF|PRODUCT_OF]->(owner:Entity)
WITH i, runners1, runs, collect(DISTINCT owner) AS owners
WITH i, runs, runners1 + owners AS runners,
     CASE WHEN i:Organization AND EXISTS { (i)-[:INCUBATES]->(:Organization) } THEN [i] ELSE [] END AS itself
WITH i, runs, reduce(acc = [], x IN runners + itself | CASE WHEN x IN acc THEN acc ELSE acc + x END) AS runners
WHERE $runner IS NULL OR any(x IN runners WHERE
      any(v IN [x.name, x.name_en, x.name_zh, x.name_de, x.name_ru] + coalesce(x.aliases, [])
          WHERE toLower(v) = toLower(trim($runner))))
OPTIONAL MATCH (i)-[inc:INCUBATES]->(s:Entity)
WITH i, runs, runners, collect(DISTINCT s.name) AS incubated, collect(inc) AS incs
WITH i, runners, incubated,
     reduce(acc = [], r IN runs + incs | acc + coalesce(r.articles, [])) AS article_ids,
     [d IN reduce(acc = [], r IN runs + incs | acc + [r.first_seen]) WHERE d IS NOT NULL] AS dates
RETURN i.name AS incubator, CASE WHEN i:Program THEN 'Program' WHEN i:Product THEN 'Product' ELSE 'Organization' END AS type, i.kind AS kind,
       [x IN runners | x.name] AS run_by, incubated,
       reduce(m = null, d IN dates | CASE WHEN m IS NULL OR d < m THEN d ELSE m END) AS first_seen,
       size(reduce(acc = [], a IN article_ids | CASE WHEN a IN acc THEN acc ELSE acc + a END)) AS articles
ORDER BY size(run_by) + size(incubated) DESC, incubator
LIMIT $limit

// title: Most connected players per relationship type
// description: For each relationship type, the entities with the most distinct counterparts
//   (either direction). PARTNERS_WITH is stored once per pair, so each partnership counts once
//   per side. `type` restricts to one relationship type (e.g. PARTNERS_WITH); `limit` is per type;
//   `min_support` ignores edges backed by fewer articles.
// param: type str = null
// param: limit int = 5
// param: min_support int = 1
MATCH (n:Entity)-[r]-(m:Entity)
WHERE n.id STARTS WITH $id_prefix
  AND ($type IS NULL OR type(r) = toUpper($type))
  AND coalesce(r.support, 1) >= $min_support
WITH type(r) AS relation, n, count(DISTINCT m) AS connections, collect(DISTINCT m.name) AS counterparts
ORDER BY relation, connections DESC, n.name
WITH relation, collect({player: n.name, kind: n.kind, country: n.country, connections: connections,
                        counterparts: counterparts})[0..$limit] AS top
UNWIND range(0, size(top) - 1) AS i
RETURN relation, i + 1 AS rank, top[i].player AS player, top[i].kind AS kind, top[i].country AS country,
       top[i].connections AS connections, top[i].counterparts AS counterparts
ORDER BY relation, rank
